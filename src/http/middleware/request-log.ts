import type { RequestHandler } from 'express';
import type { Logger } from '../../logger.js';

/** A request id on every response (X-Request-Id, kept when the client sent one); one debug line per request. */
export function requestLog(logger: Logger): RequestHandler {
  // Cheap unique ids (a per-process prefix and a counter): a UUID per request showed up on profiles of small range reads.
  const prefix = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  let counter = 0;
  return (req, res, next) => {
    const id = (req.headers['x-request-id'] as string | undefined) ?? `${prefix}-${(++counter).toString(36)}`;
    res.setHeader('X-Request-Id', id);
    if (logger.isLevelEnabled('debug')) {
      const started = process.hrtime.bigint();
      res.once('close', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logger.debug(
          { id, method: req.method, url: redactUrl(req.originalUrl), status: res.statusCode, ms: Math.round(ms) },
          'request',
        );
      });
    }
    next();
  };
}

/** Tokens never reach a log line: neither the /t/<token>/ prefix nor a token= query parameter. */
export function redactUrl(url: string): string {
  return url.replace(/^\/t\/[^/?#]+/, '/t/[redacted]').replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}
