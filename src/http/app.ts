import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from '../logger.js';
import { errorMiddleware, notFoundRoute } from './error-middleware.js';
import type { FeatureDeps } from './feature-routes.js';
import { streamRoutes } from './stream.routes.js';
import { systemRoutes, type CacheHealth } from './system.routes.js';
import { torrentRoutes } from './torrent.routes.js';

export interface AppDeps extends Omit<FeatureDeps, 'cache'> {
  cache?: CacheHealth;
  /** Routers of other capabilities (cache API, addon, Kodi, web pages), mounted before the 404. */
  extraRoutes?: Router[];
}

/** Builds the Express app; never listens (tests mount it on port 0). */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // stream routes set their own validators
  app.use(requestLog(deps.logger));
  app.use(cors);
  app.use(express.json({ limit: '1mb' }));
  app.use(systemRoutes({ config: deps.config, version: deps.version, startedAt: Date.now(), torrents: deps.torrents, webDir: deps.webDir, ...(deps.cache ? { cache: deps.cache } : {}) }));
  app.use(torrentRoutes(deps.library, deps.torrents, deps.imdbLinks));
  app.use(streamRoutes(deps.streams, deps.library));
  for (const router of deps.extraRoutes ?? []) app.use(router);
  app.use(notFoundRoute);
  app.use(errorMiddleware(deps.logger));
  return app;
}

const cors: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges, ETag, Content-Disposition');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Range, If-Range, Content-Type, Authorization');
    res.setHeader('Access-Control-Max-Age', '86400');
    res.status(204).end();
    return;
  }
  next();
};

function requestLog(logger: Logger): RequestHandler {
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
        logger.debug({ id, method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms) }, 'request');
      });
    }
    next();
  };
}
