import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * Players, Stremio Web and other origins read our streams and addon routes: those allow any origin,
 * with the range headers exposed. The API (/api/*) allows CORS_ORIGIN: '*' by default, or only the
 * listed origins (a deployment that serves its own dashboard can narrow it).
 */
export function cors(apiOrigins: readonly string[] = ['*']): RequestHandler {
  const anyApiOrigin = apiOrigins.includes('*');
  return (req, res, next) => {
    let allow: string | undefined = '*';
    if (!anyApiOrigin && req.path.startsWith('/api/')) {
      const origin = req.headers.origin;
      allow = origin && apiOrigins.includes(origin) ? origin : undefined;
      res.setHeader('Vary', 'Origin');
    }
    if (allow) allowOrigin(res, allow);
    if (req.method === 'OPTIONS') {
      if (allow) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, DELETE, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Range, If-Range, Content-Type, Authorization');
        res.setHeader('Access-Control-Max-Age', '86400');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}

/** The CORS headers of an answer readable from `origin` (the stream lane sends them for any origin). */
export function allowOrigin(res: ServerResponse, origin: string): void {
  const [allowName, allow, exposeName, expose] = allowOriginHeaders(origin);
  res.setHeader(allowName, allow);
  res.setHeader(exposeName, expose);
}

/** allowOrigin's headers as a flat [name, value, ...] list, for a response written with one writeHead. */
export function allowOriginHeaders(origin: string): [string, string, string, string] {
  return [
    'Access-Control-Allow-Origin',
    origin,
    'Access-Control-Expose-Headers',
    'Content-Range, Content-Length, Accept-Ranges, ETag, Content-Disposition',
  ];
}
