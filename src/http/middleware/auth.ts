import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { AuthService } from '../../services/auth.service.js';
import { loginPage } from '../auth/login-page.js';
import { sendError } from './error.middleware.js';

export const TOKEN_COOKIE = 'tss_token';
export const PATH_TOKEN = /^\/t\/([^/]+)(\/.*)?$/;

/** Paths that answer without a token: the health check, and what the login page itself needs. */
function isOpen(req: Request): boolean {
  const p = req.path;
  if (p === '/health' || p === '/favicon.ico' || p.startsWith('/web/'))
    return req.method === 'GET' || req.method === 'HEAD';
  return p === '/login' || p === '/logout';
}

/**
 * Who is asking. The token may come as `Authorization: Bearer`, as a `/t/<token>/` path prefix (stripped
 * here, so routes never see it: what players, Stremio and Kodi use), as a `token` query parameter, or as
 * the web page's cookie. Without API_TOKEN everyone is the admin. A request without a valid token gets
 * 401: JSON for the API, the login page for a browser navigating to a page.
 */
export function authenticate(auth: AuthService): RequestHandler {
  return (req, res, next) => {
    const fromPath = PATH_TOKEN.exec(req.url);
    let token: string | undefined;
    if (fromPath) {
      token = safeDecode(fromPath[1]!);
      req.url = fromPath[2] ?? '/';
    }
    token ??= bearer(req) ?? queryToken(req) ?? cookie(req, TOKEN_COOKIE);
    auth.authenticate(token).then((principal) => {
      if (principal) {
        req.principal = principal;
        return next();
      }
      if (isOpen(req)) return next();
      unauthorized(req, res, token !== undefined);
    }, next);
  };
}

function unauthorized(req: Request, res: Response, presented: boolean): void {
  res.setHeader('WWW-Authenticate', 'Bearer realm="torrent-stream-server"');
  const message = presented
    ? 'This token is not valid (revoked, or mistyped)'
    : 'A token is required: send Authorization: Bearer <token>, or put /t/<token>/ before the path';
  if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html' && !req.path.startsWith('/api/')) {
    res.status(401);
    loginPage(res, { next: req.originalUrl.replace(PATH_TOKEN, '$2') || '/', error: presented ? message : undefined });
    return;
  }
  sendError(res, 401, 'UNAUTHORIZED', message);
}

export function bearer(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function queryToken(req: Request): string | undefined {
  const q = req.query.token;
  return typeof q === 'string' && q ? q : undefined;
}

export function cookie(req: Pick<IncomingMessage, 'headers'>, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return safeDecode(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
