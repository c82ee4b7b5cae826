import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from '../logger.js';
import { cors } from './middleware/cors.js';
import { errorMiddleware, notFoundRoute } from './middleware/error.middleware.js';
import { requestLog } from './middleware/request-log.js';

/**
 * The Express app around the given routers, mounted in the order given (the composition root decides
 * it), between the cross-cutting middleware and the JSON 404 and error handlers. Never listens: tests
 * mount it on port 0.
 */
export function createApp(
  routes: readonly Router[],
  logger: Logger,
  guards: readonly RequestHandler[] = [],
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // stream routes set their own validators
  app.use(requestLog(logger));
  app.use(cors);
  // Authentication (and rate limits) before any body is read or any route runs.
  for (const guard of guards) app.use(guard);
  app.use(express.json({ limit: '1mb' }));
  for (const router of routes) app.use(router);
  app.use(notFoundRoute);
  app.use(errorMiddleware(logger));
  return app;
}
