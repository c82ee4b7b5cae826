import type { Request, RequestHandler } from 'express';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../ports/metrics.js';

/**
 * One debug line per request (id, method, URL with tokens redacted, status, ms) and, with `metrics`,
 * its duration by matched route. Mount after requestId().
 */
export function requestLog(logger: Logger, metrics?: Pick<Metrics, 'httpRequest'>): RequestHandler {
  return (req, res, next) => {
    const debug = logger.isLevelEnabled('debug');
    if (!debug && !metrics) return next();
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      metrics?.httpRequest(routeOf(req, res.statusCode), req.method, res.statusCode, ms / 1000);
      if (debug) {
        logger.debug(
          {
            reqId: req.id,
            method: req.method,
            url: redactUrl(req.originalUrl),
            status: res.statusCode,
            ms: Math.round(ms),
          },
          'request',
        );
      }
    });
    next();
  };
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
