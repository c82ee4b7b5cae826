import type { Request } from 'express';
import { linkPrefix } from './principal.js';

/**
 * Absolute base URL for links we hand out (playlists, Stremio, Kodi): PUBLIC_URL, else the request's
 * (forwarded) protocol and host, followed by the request's token prefix (`/t/<token>`) when it carried
 * one, so every handed-out link plays with only its URL.
 */
export function publicBaseUrl(req: Request, configured: string | undefined): string {
  return originOf(req, configured) + linkPrefix(req);
}

/** The same without the token (for what must not carry it). */
export function originOf(req: Request, configured: string | undefined): string {
  if (configured) return configured;
  const first = (value: string | string[] | undefined) =>
    (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  const proto = first(req.headers['x-forwarded-proto']) ?? req.protocol;
  const host = first(req.headers['x-forwarded-host']) ?? req.headers.host ?? 'localhost';
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}
