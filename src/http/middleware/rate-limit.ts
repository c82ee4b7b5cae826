import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import { sendError } from './error.middleware.js';
import { memoryCounter, storeCounter, type FailureCounter } from './failure-counter.js';

const MINUTE_MS = 60_000;

export interface RateLimitSettings {
  /** Requests per minute per client on /api (0 = off). */
  apiPerMinute: number;
  /** POST /api/torrents per minute per client (0 = off). */
  addsPerMinute: number;
  /**
   * Where a limiter counts: a shared store (Redis, with CACHE_BACKEND=redis) so that every instance behind
   * a load balancer spends one budget per client; undefined = this process's memory.
   */
  store?: (limiter: 'api' | 'adds') => Store;
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
 * With `store` (Redis in a cluster) the wrong tokens sent to any instance count together; without it,
 * this process counts.
 */
export function failedAuthLimit(perMinute: number, store?: Store): RequestHandler[] {
  if (perMinute <= 0) return [];
  const failures: FailureCounter = store ? storeCounter(store, MINUTE_MS) : memoryCounter(MINUTE_MS);
  const limiter: RequestHandler = async (req, res, next) => {
    const key = ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    // An unreachable store lets requests through (authentication still runs), as the other limiters do.
    const seen = await failures.get(key).catch(() => undefined);
    const now = Date.now();
    if (seen && seen.count >= perMinute && seen.resetAt > now) {
      const retry = Math.max(1, Math.ceil((seen.resetAt - now) / 1000));
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
      if (res.statusCode === 401) void failures.increment(key).catch(() => undefined);
    });
    next();
  };
  return [limiter];
}

/**
 * Abuse limits with RateLimit-* headers (draft 6): one budget for the API, a tighter one for adds.
 * Streams are never counted here (players send many range requests); a user's open streams are capped
 * by the stream routes instead. Counters live in `settings.store` (Redis in a cluster) or in this process.
 */
export function rateLimits(settings: RateLimitSettings): RequestHandler[] {
  const limiter = (
    name: 'api' | 'adds',
    limit: number,
    what: string,
    applies: (req: Request) => boolean,
  ): RequestHandler => {
    const limited = rateLimit({
      ...(settings.store ? { store: settings.store(name) } : {}),
      // Redis unreachable: serve rather than refuse everyone (the index outage already answers 503 where needed).
      passOnStoreError: true,
      windowMs: MINUTE_MS,
      limit,
      standardHeaders: 'draft-6',
      legacyHeaders: false,
      keyGenerator: clientKey,
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
    // Decided before express-rate-limit runs: its async handler costs every cache hit a few promises.
    return (req, res, next) => (applies(req) ? limited(req, res, next) : next());
  };
  const guards: RequestHandler[] = [];
  if (settings.apiPerMinute > 0)
    guards.push(limiter('api', settings.apiPerMinute, 'API requests', (req) => req.path.startsWith('/api/')));
  if (settings.addsPerMinute > 0) {
    guards.push(
      limiter('adds', settings.addsPerMinute, 'adds', (req) => req.method === 'POST' && req.path === '/api/torrents'),
    );
  }
  return guards;
}
