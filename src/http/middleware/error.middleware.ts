import type { ServerResponse } from 'node:http';
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

/** The JSON error body every failure has, on plain node:http (the stream lane sends it without Express too). */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ success: false, error: { code, message } });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export const notFoundRoute: RequestHandler = (req, res) => {
  sendError(res, 404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`);
};

/** Maps domain errors to HTTP; when the response has started or the client left, only ends the socket. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => sendFailure(res, err, logger, req.path);
}

/** What errorMiddleware answers for `err`, without Express: the stream lane fails the same way. */
export function sendFailure(res: ServerResponse, err: unknown, logger: Logger, path: string): void {
  if (res.headersSent || res.req.socket.destroyed) {
    logger.debug({ err: String(err), path }, 'error after response started');
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
  logger.error({ err, path }, 'unhandled error');
  sendError(res, 500, 'INTERNAL', 'Internal server error');
}
