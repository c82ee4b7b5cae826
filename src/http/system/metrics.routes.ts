import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import type { MetricsExposition } from '../../ports/metrics.js';
import type { AuthService } from '../../services/auth.service.js';
import { cookie, TOKEN_COOKIE } from '../middleware/auth.js';
import { sendError } from '../middleware/error.middleware.js';

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * GET /metrics (Prometheus text). Mounted among the guards, before authentication, because a scraper's
 * METRICS_TOKEN is not an API token: the admin token or `Authorization: Bearer <METRICS_TOKEN>` lets it
 * through, a user token is 403, nothing is 401. With neither API_TOKEN nor METRICS_TOKEN set it is open,
 * like every other route of a server without authentication.
 */
export function metricsRoutes(deps: {
  metrics: MetricsExposition;
  auth: Pick<AuthService, 'authenticate' | 'enabled'>;
  metricsToken: string | undefined;
}): Router {
  const router = Router();
  const expected = deps.metricsToken === undefined ? undefined : digest(deps.metricsToken);
  const isMetricsToken = (token: string | undefined) =>
    expected !== undefined && token !== undefined && timingSafeEqual(digest(token), expected);

  const allowed = async (req: Request): Promise<'yes' | 'unauthorized' | 'forbidden'> => {
    const token = bearer(req) ?? cookie(req, TOKEN_COOKIE);
    if (isMetricsToken(token)) return 'yes';
    if (!deps.auth.enabled) return expected === undefined ? 'yes' : 'unauthorized';
    const principal = await deps.auth.authenticate(token);
    if (!principal) return 'unauthorized';
    return principal.kind === 'admin' ? 'yes' : 'forbidden';
  };

  router.get('/metrics', async (req, res) => {
    const verdict = await allowed(req);
    if (verdict === 'unauthorized') {
      res.setHeader('WWW-Authenticate', 'Bearer realm="torrent-stream-server"');
      return sendError(res, 401, 'UNAUTHORIZED', 'Send Authorization: Bearer <admin token or METRICS_TOKEN>');
    }
    if (verdict === 'forbidden') return sendError(res, 403, 'FORBIDDEN', 'Only the admin token can read metrics');
    res.setHeader('Content-Type', deps.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await deps.metrics.render());
  });
  return router;
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}
