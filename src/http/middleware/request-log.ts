import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../ports/metrics.js';

/**
 * One debug line per request (id, method, URL with tokens redacted, status, ms) and, with `metrics`,
 * its duration by matched route. Mount after requestId().
 */
export function requestLog(logger: Logger, metrics?: Pick<Metrics, 'httpRequest'>): RequestHandler {
  return (req, res, next) => {
    logRequest(logger, metrics, req, res, () => ({
      id: req.id,
      url: req.originalUrl,
      route: routeOf(req, res.statusCode),
    }));
    next();
  };
}

/**
 * requestLog's work for one request, without Express (the stream lane logs and times its requests the
 * same way): when the response closes, the debug line and the duration by `route`.
 */
export function logRequest(
  logger: Logger,
  metrics: Pick<Metrics, 'httpRequest'> | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  describe: () => { id: string | undefined; url: string; route: string },
): void {
  const debug = logger.isLevelEnabled('debug');
  if (!debug && !metrics) return;
  const started = process.hrtime.bigint();
  res.once('close', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const { id, url, route } = describe();
    metrics?.httpRequest(route, req.method ?? 'GET', res.statusCode, ms / 1000);
    if (debug) {
      logger.debug(
        { reqId: id, method: req.method, url: redactUrl(url), status: res.statusCode, ms: Math.round(ms) },
        'request',
      );
    }
  });
}

/**
 * The route a request matched, as its Express pattern (`/api/torrents/:infoHash`), never the raw URL:
 * bounded label values, and no token from a /t/<token>/ path can reach a metric.
 */
export function routeOf(req: Request, status: number): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}`;
  if (status === 404) return 'unmatched';
  // Middleware under a mount (static files) has no route; anything else answered by a guard (401, 429).
  return req.baseUrl ? `${req.baseUrl}/*` : 'none';
}

/** Tokens never reach a log line: neither the /t/<token>/ prefix nor a token= query parameter. */
export function redactUrl(url: string): string {
  return url.replace(/^\/t\/[^/?#]+/, '/t/[redacted]').replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}
