import type { Request } from 'express';
import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../services/auth.service.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the auth middleware for every request it lets through. */
    principal?: Principal;
  }
}

/**
 * The principal of a request the auth middleware let through (the admin, without a token, when auth is
 * off). An open path reached without a valid token has none: asking for it there is UNAUTHORIZED.
 */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new DomainError('UNAUTHORIZED', 'A token is required');
  return req.principal;
}

/** Admin-only operations: deleting the cache, forcing cleanups, managing users, naming a Kodi. */
export function requireAdmin(req: Request, what: string): void {
  if (principalOf(req).kind !== 'admin') throw new DomainError('FORBIDDEN', `Only the admin token can ${what}`);
}

/**
 * The path prefix that makes a link work with nothing but its URL (players, Stremio and Kodi cannot
 * send headers): `/t/<token>` when the request carried a token, else nothing.
 */
export function linkPrefix(req: Request): string {
  const token = req.principal?.token;
  return token ? `/t/${encodeURIComponent(token)}` : '';
}
