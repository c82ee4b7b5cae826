import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from '../logger.js';
import type { Metrics } from '../ports/metrics.js';
import { cors } from './middleware/cors.js';
import { errorMiddleware, notFoundRoute } from './middleware/error.middleware.js';
import { nodeHeader } from './middleware/node-header.js';
import { requestId } from './middleware/request-id.js';
import { requestLog } from './middleware/request-log.js';

/**
 * The Express app around the given routers, mounted in the order given (the composition root decides
 * it), between the cross-cutting middleware and the JSON 404 and error handlers. Never listens: tests
 * mount it on port 0.
 */
export function createApp(
  routes: readonly Router[],
  logger: Logger,
  {
    guards = [],
    trustProxy = 'loopback',
    corsOrigins = ['*'],
    nodeId,
    metrics,
  }: {
    guards?: readonly RequestHandler[];
    trustProxy?: string;
    corsOrigins?: readonly string[];
    /** NODE_ID, sent as X-Node on every response. */
    nodeId?: string;
    /** HTTP request durations by route go here. */
    metrics?: Pick<Metrics, 'httpRequest'>;
  } = {},
): express.Express {
  const app = express();
  // Whose X-Forwarded-For is believed (rate limits key on the client's address): a proxy on this machine by default.
  app.set('trust proxy', trustProxy);
  app.disable('x-powered-by');
  app.set('etag', false); // stream routes set their own validators
  if (nodeId !== undefined) app.use(nodeHeader(nodeId));
  app.use(requestId());
  app.use(requestLog(logger, metrics));
  app.use(cors(corsOrigins));
  // Authentication (and rate limits) before any body is read or any route runs.
  for (const guard of guards) app.use(guard);
  app.use(express.json({ limit: '1mb' }));
  for (const router of routes) app.use(router);
  app.use(notFoundRoute);
  app.use(errorMiddleware(logger));
  return app;
}
