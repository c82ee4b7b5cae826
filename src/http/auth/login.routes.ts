import express, { Router } from 'express';
import type { AuthService } from '../../services/auth.service.js';
import { TOKEN_COOKIE } from '../middleware/auth.js';
import { linkPrefix, principalOf } from '../shared/principal.js';
import { loginPage, safeNext } from './login-page.js';
import { htmlHeaders } from '../middleware/html-headers.js';

const YEAR_S = 365 * 24 * 60 * 60;

/**
 * The web page's sign-in: POST /login checks the token and keeps it in an HttpOnly, SameSite=Strict
 * cookie (a cross-site page can neither read it nor make the browser send it), so the dashboard's
 * fetches, its event stream and its <video> all carry it. GET /api/session tells the page who it is
 * and the link prefix for URLs it copies out (players need the token in the URL).
 */
export function loginRoutes(auth: AuthService): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  router.get('/login', htmlHeaders, (req, res) => {
    loginPage(res, { next: safeNext(req.query.next) });
  });

  router.post('/login', htmlHeaders, form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = typeof body.token === 'string' ? body.token.trim() : '';
    const next = safeNext(body.next);
    const principal = token ? await auth.authenticate(token) : undefined;
    if (!principal || !auth.enabled) {
      res.status(auth.enabled ? 401 : 400);
      loginPage(res, {
        next,
        error: auth.enabled
          ? 'This token is not valid (revoked, or mistyped)'
          : 'This server has no API_TOKEN: nothing to sign in to',
      });
      return;
    }
    const secure = req.secure || req.headers['x-forwarded-proto'] === 'https';
    res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: YEAR_S * 1000 });
    res.redirect(303, next);
  });

  router.post('/logout', (_req, res) => {
    res.clearCookie(TOKEN_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  });

  router.get('/api/session', (req, res) => {
    const principal = principalOf(req);
    res.json({
      success: true,
      data: { authRequired: auth.enabled, kind: principal.kind, name: principal.name, linkPrefix: linkPrefix(req) },
    });
  });

  return router;
}
