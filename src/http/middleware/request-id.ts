import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runInRequest } from '../../logger.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** X-Request-Id: the client's (when it is a short safe token) or ours; echoed on the response. */
    id?: string;
  }
}

/** What a client may choose as its id: a proxy's UUID or trace id, never a line break or a long string. */
const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Gives each request an id (kept from X-Request-Id when the client or a proxy sent a safe one), sends it
 * back in X-Request-Id, and runs the rest of the request inside its log scope, so every line logged
 * while it runs, services included, carries `reqId`.
 */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const id = requestIdFor(req.headers['x-request-id']);
    req.id = id;
    res.setHeader('X-Request-Id', id);
    runInRequest(id, res, next);
  };
}

// Cheap unique ids (a random per-process prefix and a counter): a UUID per request showed up on profiles.
const prefix = randomBytes(4).toString('hex');
let counter = 0;

/** The id of a request that sent `given` as X-Request-Id: kept when safe, else a new one of this process. */
export function requestIdFor(given: string | string[] | undefined): string {
  return typeof given === 'string' && CLIENT_ID.test(given) ? given : `${prefix}-${(++counter).toString(36)}`;
}
