import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DomainError, type ErrorCode } from '../../domain/errors.js';
import type { Logger } from '../../logger.js';

const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  URL_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  RANGE_NOT_SATISFIABLE: 416,
  UNSAFE_PATH: 422,
  INTERNAL: 500,
  TORRENT_FAILED: 502,
  ENGINE_UNAVAILABLE: 503,
  UPSTREAM_ERROR: 502,
  METADATA_TIMEOUT: 504,
  STREAM_STALLED: 504,
  INSUFFICIENT_STORAGE: 507,
  TOO_MANY_TORRENTS: 429,
  RATE_LIMITED: 429,
  FORBIDDEN: 403,
  CONFLICT: 409,
  INDEX_UNAVAILABLE: 503,
  TOO_BUSY: 503,
  FEATURE_UNAVAILABLE: 501,
  UNSUPPORTED_MEDIA: 415,
};

export function sendError(res: Parameters<RequestHandler>[1], status: number, code: string, message: string): void {
  res.status(status).json({ success: false, error: { code, message } });
}

export const notFoundRoute: RequestHandler = (req, res) => {
  sendError(res, 404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`);
};

/** Maps domain errors to HTTP; when the response has started or the client left, only ends the socket. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent || req.socket.destroyed) {
      logger.debug({ err: String(err), path: req.path }, 'error after response started');
      res.destroy();
      return;
    }
    if (err instanceof DomainError) {
      // A passing outage (the index unreachable) says when to come back.
      if (typeof err.details?.retryAfter === 'number') res.setHeader('Retry-After', String(err.details.retryAfter));
      sendError(res, STATUS[err.code], err.code, err.message);
      return;
    }
    const bodyError = err as { type?: string; status?: number; message?: string };
    if (bodyError.type === 'entity.parse.failed')
      return sendError(res, 400, 'INVALID_INPUT', 'Request body is not valid JSON');
    if (bodyError.type === 'entity.too.large') return sendError(res, 413, 'INVALID_INPUT', 'Request body is too large');
    // The router's own 400s (a path parameter that is not valid percent-encoding) are the client's mistake.
    if (err instanceof URIError || bodyError.status === 400) {
      return sendError(res, 400, 'INVALID_INPUT', 'The URL is malformed: a path segment is not valid percent-encoding');
    }
    logger.error({ err, path: req.path }, 'unhandled error');
    sendError(res, 500, 'INTERNAL', 'Internal server error');
  };
}
