import { expressPath, failure, htmlPage, plainJson, textBody, type Registrar } from '../shared/contract.js';
import { infoHashPath } from '../shared/params.js';
import { z } from '../shared/zod.js';

/**
 * Contract of the Stremio addon (stremio.routes.ts: the SDK's router validates and answers those
 * paths, so they are documented here only), /configure (stremio-configure.routes.ts) and /poster/*.
 */

const CONFIG_HELP =
  'URL-encoded JSON {"cachedOnly":true,"upstreams":["<key>"]} (the stremio-addon-sdk format); ' +
  'keys come from /configure';

/** The `/<config>/` segment; anything that is not JSON reads as "no options", never an error. */
const configSegment = z
  .string()
  .transform((text): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  })
  .openapi({ param: { description: CONFIG_HELP } });

export const configParams = z.object({ config: configSegment });

/** The configure form, read as leniently as a browser may send it: nothing here is ever a 400. */
export const configureQuery = z.object({
  build: z
    .unknown()
    .optional()
    .transform((value) => value !== undefined)
    .openapi({
      type: 'string',
      param: { description: 'Present when the form was submitted: the page shows the install URL for the choices' },
    }),
  cachedOnly: z
    .unknown()
    .optional()
    .transform((value) => value !== undefined)
    .openapi({ type: 'string' }),
  upstream: z
    .unknown()
    .optional()
    .transform((value) => ([] as unknown[]).concat(value ?? []).filter((v): v is string => typeof v === 'string'))
    .openapi({ type: 'array', items: { type: 'string' }, param: { style: 'form', explode: true } }),
});

export const posterParams = z.object({ infoHash: infoHashPath });

const typeParam = (values: [string, ...string[]]) => z.enum(values);
const idParam = (example?: string) => z.string().openapi(example ? { example } : {});

export const registerStremioContract: Registrar = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/manifest.json',
    summary: 'Stremio addon manifest (install URL); built with stremio-addon-sdk',
    description:
      'Catalog "My torrents", meta for btih: ids, streams for btih: and IMDb (tt…, tt…:S:E) ids. ' +
      'Stremio resource routes follow the addon protocol: /catalog/{type}/{id}.json, /meta/{type}/{id}.json, ' +
      '/stream/{type}/{id}.json (and /{config}/… for a configured install). Cache-Control carries cacheMaxAge.',
    responses: { 200: plainJson(z.record(z.string(), z.unknown()), 'Addon manifest') },
  });

  registry.registerPath({
    method: 'get',
    path: '/{config}/manifest.json',
    summary: 'Manifest of a configured install',
    request: { params: configParams },
    responses: { 200: { description: 'Addon manifest without behaviorHints.configurable' } },
  });

  registry.registerPath({
    method: 'get',
    path: '/catalog/{type}/{id}.json',
    summary: 'Stremio catalog "My torrents" (id tss-my-torrents): active and cached torrents, newest first',
    request: { params: z.object({ type: typeParam(['movie']), id: z.enum(['tss-my-torrents']) }) },
    responses: { 200: { description: '{ metas: [...] }, Cache-Control max-age=30' }, 404: failure('Unknown catalog') },
  });

  registry.registerPath({
    method: 'get',
    path: '/catalog/{type}/{id}/{extra}.json',
    summary: 'The next page of the catalog (Stremio asks for it while scrolling)',
    request: {
      params: z.object({
        type: typeParam(['movie']),
        id: z.enum(['tss-my-torrents']),
        extra: z.string().openapi({ example: 'skip=100' }),
      }),
    },
    responses: { 200: { description: '{ metas: [...] }, Cache-Control max-age=30' }, 404: failure('Unknown catalog') },
  });

  registry.registerPath({
    method: 'get',
    path: '/meta/{type}/{id}.json',
    summary: 'Stremio meta of a torrent (id btih:<infoHash>); its video files are the videos',
    request: {
      params: z.object({
        type: typeParam(['movie', 'series']),
        id: idParam('btih:0123456789abcdef0123456789abcdef01234567'),
      }),
    },
    responses: {
      200: { description: '{ meta }, max-age 30 s (active) or 1 day (cached)' },
      404: failure('Unknown torrent'),
    },
  });

  const streams = {
    summary:
      'Stremio streams: btih:<hash>[:<fileIndex>], or an IMDb id from library links and upstream addons ' +
      '(ADDON_UPSTREAMS, 5 s timeout each)',
    description:
      'Every torrent stream is rewritten to an absolute URL on this server; files in the cache are marked ' +
      '"⚡ cached" and listed first.',
    responses: {
      200: {
        description: '{ streams: [...] }, max-age 1 day when all are cached and every upstream answered, else 30 s',
      },
    },
  };
  const streamParams = { type: typeParam(['movie', 'series']), id: idParam('tt0944947:1:2') };
  registry.registerPath({
    method: 'get',
    path: '/stream/{type}/{id}.json',
    ...streams,
    request: { params: z.object(streamParams) },
  });
  registry.registerPath({
    method: 'get',
    path: '/{config}/stream/{type}/{id}.json',
    ...streams,
    summary: 'Streams of a configured install (cachedOnly, chosen upstreams); otherwise as /stream/{type}/{id}.json',
    request: { params: z.object({ config: configSegment, ...streamParams }) },
  });

  registry.registerPath({
    method: 'get',
    path: '/configure',
    summary: 'Stremio addon configuration page (also /{config}/configure): builds the install URL',
    request: { query: configureQuery },
    responses: { 200: htmlPage() },
  });

  registry.registerPath({
    method: 'get',
    path: '/{config}/configure',
    summary: 'The configuration page of a configured install, its current choices ticked',
    request: { params: configParams, query: configureQuery },
    responses: { 200: htmlPage() },
  });

  registry.registerPath({
    method: 'get',
    path: '/poster/{infoHash}.svg',
    ...expressPath('/poster/:file'),
    summary:
      "A generated 300x450 poster for the Stremio catalog: the torrent's name on a gradient coloured by " +
      'its info hash',
    request: { params: posterParams },
    responses: {
      200: textBody('image/svg+xml', 'SVG image (Cache-Control: public, max-age=86400)'),
      400: failure('Bad info hash'),
      404: failure('Unknown torrent'),
    },
  });
};
