import type { Request } from 'express';

/** Absolute base URL for links we hand out: PUBLIC_URL, else the request's (forwarded) protocol and host. */
export function publicBaseUrl(req: Request, configured: string | undefined): string {
  if (configured) return configured;
  const first = (value: string | string[] | undefined) =>
    (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  const proto = first(req.headers['x-forwarded-proto']) ?? req.protocol;
  const host = first(req.headers['x-forwarded-host']) ?? req.headers.host ?? 'localhost';
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}
