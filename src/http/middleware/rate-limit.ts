import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { sendError } from './error.middleware.js';

const MINUTE_MS = 60_000;

export interface RateLimitSettings {
  /** Requests per minute per client on /api (0 = off). */
  apiPerMinute: number;
  /** POST /api/torrents per minute per client (0 = off). */
  addsPerMinute: number;
}

/** A user counts as one client wherever it connects from; everyone else by address. */
const clientKey = (req: Request): string =>
  req.principal?.kind === 'user'
    ? `user:${req.principal.id}`
    : `ip:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown')}`; // an IPv6 /56 counts as one client

/**
 * Wrong tokens per minute per address before 429: guessing stays slow whatever the other limits are.
 * Placed before authentication; only answers that really were 401 count (a player's aborted seeks and
 * long streams must not: express-rate-limit's skipSuccessfulRequests would count them until 'finish').
 */
export function failedAuthLimit(perMinute: number): RequestHandler[] {
  if (perMinute <= 0) return [];
  const failures = new Map<string, { count: number; resetAt: number }>();
  const limiter: RequestHandler = (req, res, next) => {
    const key = ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    const now = Date.now();
    const seen = failures.get(key);
    if (seen && seen.resetAt <= now) failures.delete(key);
    const current = failures.get(key);
    if (current && current.count >= perMinute) {
      const retry = Math.max(1, Math.ceil((current.resetAt - now) / 1000));
      res.setHeader('Retry-After', String(retry));
      sendError(
        res,
        429,
        'RATE_LIMITED',
        `Too many requests with a wrong token from this address; try again in ${retry} s`,
      );
      return;
    }
    res.once('finish', () => {
      if (res.statusCode !== 401) return;
      if (failures.size > 10_000) failures.clear(); // bounded memory under a spray of addresses
      const entry = failures.get(key) ?? { count: 0, resetAt: Date.now() + MINUTE_MS };
      entry.count++;
      failures.set(key, entry);
    });
    next();
  };
  return [limiter];
}

/**
 * Abuse limits with RateLimit-* headers (draft 6): one budget for the API, a tighter one for adds.
 * Streams are never counted here (players send many range requests); a user's open streams are capped
 * by the stream routes instead. Counters live in this process (issue 12 moves them to Redis).
 */
export function rateLimits(settings: RateLimitSettings): RequestHandler[] {
  const limiter = (limit: number, what: string, applies: (req: Request) => boolean): RequestHandler =>
    rateLimit({
      windowMs: MINUTE_MS,
      limit,
      standardHeaders: 'draft-6',
      legacyHeaders: false,
      keyGenerator: clientKey,
      skip: (req) => !applies(req),
      handler: (_req, res) => {
        const retry = Number(res.getHeader('RateLimit-Reset') ?? 60);
        res.setHeader('Retry-After', String(retry));
        sendError(
          res,
          429,
          'RATE_LIMITED',
          `Too many requests: at most ${limit} ${what} a minute; try again in ${retry} s`,
        );
      },
    });
  const guards: RequestHandler[] = [];
  if (settings.apiPerMinute > 0)
    guards.push(limiter(settings.apiPerMinute, 'API requests', (req) => req.path.startsWith('/api/')));
  if (settings.addsPerMinute > 0) {
    guards.push(
      limiter(settings.addsPerMinute, 'adds', (req) => req.method === 'POST' && req.path === '/api/torrents'),
    );
  }
  return guards;
}
