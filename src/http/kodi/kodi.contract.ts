import { invalidInput } from '../../domain/errors.js';
import { expressPath, failure, ok, textBody, type Registrar } from '../shared/contract.js';
import { fileIndexParam, fileIndexPath, infoHashParam, infoHashPath } from '../shared/params.js';
import { domainValue } from '../shared/validate.js';
import { z } from '../shared/zod.js';

/** Contract of /api/kodi/* (kodi.routes.ts), /playlist/* and /strm/* (playlist.routes.ts). */

const BODY_HELP =
  'Send a JSON body (Content-Type: application/json) like ' + '{"infoHash": "<40 hex characters>", "fileIndex": 0}';

/**
 * `kodi` stays unknown here: PlaybackService checks it (kodi.url must be an http(s) URL, ...) with
 * messages of its own, so the schema only documents it.
 */
const kodiTarget = z.unknown().openapi({
  type: 'object',
  description: 'Overrides KODI_URL/KODI_USERNAME/KODI_PASSWORD',
  properties: {
    url: { type: 'string', example: 'http://192.168.1.20:8080' },
    username: { type: 'string' },
    password: { type: 'string' },
  },
});

export const KodiPlay = z
  .object(
    {
      infoHash: domainValue((value) => {
        if (value === undefined || value === null || value === '') throw invalidInput('infoHash is required');
        return infoHashParam(value);
      }).openapi({ type: 'string', description: '40 hex or 32 base32 characters' }),
      // null counts as absent, as it did before the schema.
      fileIndex: domainValue((value) => fileIndexParam(value ?? undefined)).openapi({
        type: 'integer',
        minimum: 0,
        description: 'Default: the largest video file',
      }),
      kodi: kodiTarget.optional(),
    },
    BODY_HELP,
  )
  .openapi('KodiPlay');

export const kodiStatusQuery = z.object({
  url: z
    .string('url must be given once, as a string')
    .optional()
    .openapi({
      param: {
        description:
          'Kodi web server URL; default KODI_URL. ' + "The configured credentials are only sent to KODI_URL's host.",
      },
    }),
});

export const playlistParams = z.object({ infoHash: infoHashPath });
export const strmParams = z.object({ infoHash: infoHashPath, fileIndex: fileIndexPath });

export const KodiSent = z
  .object({
    action: z.enum(['play', 'queue']),
    method: z.enum(['Player.Open', 'Playlist.Add']),
    kodi: z.string().openapi({ description: 'Kodi URL without credentials' }),
    infoHash: z.string(),
    fileIndex: z.number().int(),
    fileName: z.string(),
    url: z.string().openapi({ description: 'The stream URL sent to Kodi' }),
    note: z.string(),
  })
  .openapi('KodiSent');

const KodiStatus = z.object({
  reachable: z.boolean(),
  kodi: z.string(),
  name: z.string(),
  version: z.object({ major: z.number().int(), minor: z.number().int() }),
});

const m3u = textBody('audio/x-mpegurl', 'audio/x-mpegurl; charset=utf-8');
const playBody = { required: true, content: { 'application/json': { schema: KodiPlay } } };

export const registerKodiContract: Registrar = (registry) => {
  registry.registerPath({
    method: 'post',
    path: '/api/kodi/play',
    summary: 'Play a file on Kodi (JSON-RPC Player.Open with our absolute stream URL)',
    description:
      'The torrent must be added (or cached). Default file: the largest video. Kodi answers "OK" even for a ' +
      'URL it cannot play, so success means "request accepted", not "playing". Kodi defaults: KODI_URL, ' +
      'KODI_USERNAME, KODI_PASSWORD.',
    request: { body: playBody },
    responses: {
      200: ok(KodiSent),
      400: failure('Bad input, or no Kodi URL (set KODI_URL or send kodi.url)'),
      404: failure('Unknown torrent or file index'),
      502: failure('Kodi unreachable, timed out (5 s), rejected the credentials or returned a JSON-RPC error'),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/kodi/queue',
    summary: "Append a file to Kodi's video playlist (JSON-RPC Playlist.Add, playlist 1)",
    request: { body: playBody },
    responses: {
      200: ok(KodiSent),
      400: failure('Bad input, or no Kodi URL'),
      404: failure('Unknown torrent or file index'),
      502: failure('Kodi error (see message)'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/kodi/status',
    summary: 'Is Kodi reachable? (JSONRPC.Ping + Application.GetProperties)',
    request: { query: kodiStatusQuery },
    responses: { 200: ok(KodiStatus), 400: failure('No Kodi URL'), 502: failure('Kodi unreachable or refused') },
  });

  registry.registerPath({
    method: 'get',
    path: '/playlist/{infoHash}.m3u',
    ...expressPath('/playlist/:file'),
    summary: 'M3U playlist of the video and audio files of a torrent (absolute player URLs)',
    description:
      'Ordered by path with numeric comparison; a torrent without media files gives an empty playlist. ' +
      "URLs use PUBLIC_URL, else the request's X-Forwarded-Proto/Host or Host.",
    request: { params: playlistParams },
    responses: { 200: m3u, 400: failure('Bad info hash'), 404: failure('Unknown torrent') },
  });

  registry.registerPath({
    method: 'get',
    path: '/playlist/all.m3u',
    ...expressPath('/playlist/:file'),
    summary: 'M3U playlist of every video and audio file of every torrent, active or cached',
    responses: { 200: m3u },
  });

  registry.registerPath({
    method: 'get',
    path: '/strm/{infoHash}/{fileIndex}.strm',
    ...expressPath('/strm/:infoHash/:file'),
    summary: 'Kodi .strm file: the absolute stream URL of one file',
    request: { params: strmParams },
    responses: {
      200: textBody('text/plain', 'text/plain; charset=utf-8'),
      400: failure('Bad info hash or file index'),
      404: failure('Unknown torrent or file index'),
    },
  });
};
