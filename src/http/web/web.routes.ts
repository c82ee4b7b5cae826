import path from 'node:path';
import express, { Router, type Response } from 'express';
import { htmlHeaders } from '../middleware/html-headers.js';

/**
 * Everything the pages load comes from this server: the CSP makes "nothing from the internet" a
 * rule the browser enforces rather than a promise. media-src allows blob: for players that wrap
 * streams; data: images are the inline favicon.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  // hls.js transmuxes in a worker it builds from a blob: URL.
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** HTML, JS and CSS are tiny and change with every deploy: always revalidate (ETag/Last-Modified give cheap 304s). */
function noSurprises(res: Response): void {
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/**
 * The web pages: `/` (dashboard) and `/test-torrent-streaming` (the seed's test page), their
 * assets under `/web/`, and `/favicon.ico`. Assets live under a prefix so a file in web/ can never
 * shadow an API or addon route such as /manifest.json.
 */
export function webRoutes(webDir: string): Router {
  const router = Router();
  const page = (file: string) => (_req: express.Request, res: Response) => {
    noSurprises(res);
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.sendFile(path.join(webDir, file));
  };

  router.get('/', htmlHeaders, page('index.html'));
  router.get('/test-torrent-streaming', htmlHeaders, page('test-torrent-streaming.html'));
  // Browsers ask for /favicon.ico whenever a page links no icon (Chromium does on /docs) and log the
  // 404 as a console error. The SVG the pages link answers it: browsers go by Content-Type, not name.
  router.get('/favicon.ico', (_req, res) => {
    res.setHeader('Content-Type', 'image/svg+xml');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(path.join(webDir, 'favicon.svg'));
  });
  router.use(
    '/web',
    express.static(webDir, {
      index: false,
      redirect: false,
      // The pages are served by the routes above, with their CSP; docs.html has its own route.
      extensions: false,
      setHeaders: noSurprises,
    }),
  );

  return router;
}
