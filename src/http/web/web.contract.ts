import { failure, htmlPage, textBody, type Registrar } from '../shared/contract.js';
import { z } from '../shared/zod.js';

/** Contract of the web pages and their assets (web.routes.ts). */

export const registerWebContract: Registrar = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/',
    summary: 'Web dashboard: add torrents, live progress, play, copy stream URLs, cache panel, Stremio install link',
    responses: { 200: htmlPage() },
  });

  registry.registerPath({
    method: 'get',
    path: '/test-torrent-streaming',
    summary: 'Test page: add a magnet or info hash and stream it in an HTML5 player',
    responses: { 200: htmlPage() },
  });

  registry.registerPath({
    method: 'get',
    path: '/web/{asset}',
    summary: 'Static assets of the web pages (JS, CSS); Cache-Control: no-cache with ETag revalidation',
    request: { params: z.object({ asset: z.string().openapi({ example: 'app.js' }) }) },
    responses: {
      200: { description: 'The file with its MIME type' },
      304: { description: 'Not modified' },
      404: failure('No such asset'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/favicon.ico',
    summary: 'The site icon (SVG, whatever the name says): browsers ask for it on pages that do not link one',
    responses: {
      200: textBody('image/svg+xml', 'SVG image (Cache-Control: public, max-age=86400)'),
    },
  });
};
