import { failure, ok, okWithMessage, type Registrar } from '../shared/contract.js';
import { flag, infoHashPath } from '../shared/params.js';
import { z } from '../shared/zod.js';

/** Contract of /api/torrents* and /api/events (torrent.routes.ts, events.routes.ts). */

export const torrentParams = z.object({ infoHash: infoHashPath });
export const removeTorrentQuery = z.object({ deleteFiles: flag });

const status = z.enum(['connecting', 'connected', 'downloading', 'complete', 'failed']);
const percent = z.string().openapi({ description: 'Percent with two decimals', example: '45.23' });
const dht = z.object({ enabled: z.boolean(), nodes: z.number().int() });

export const FileSchema = z
  .object({
    index: z.number().int(),
    name: z.string(),
    path: z.string(),
    length: z.number().int(),
    downloaded: z.number().int(),
    progress: percent,
    mediaKind: z.enum(['video', 'audio', 'subtitle', 'other']),
    browserPlayable: z.boolean().openapi({ description: "A browser's <video>/<audio> plays it as it is" }),
  })
  .openapi('File');

const statusFields = {
  infoHash: z.string(),
  name: z.string(),
  status,
  progress: percent,
  downloadSpeed: z.number(),
  uploadSpeed: z.number(),
  downloaded: z.number(),
  uploaded: z.number(),
  numPeers: z.number().int(),
  activeStreams: z.number().int().openapi({ description: 'Open read streams (players connected right now)' }),
  timeRemaining: z.number().nullable().openapi({ description: 'Milliseconds; null while unknown' }),
  addedAt: z.string(),
  cached: z.boolean(),
  error: z.string().optional(),
};

export const TorrentStatus = z.object({ ...statusFields, files: z.array(FileSchema) }).openapi('TorrentStatus');

/** POST /api/torrents answers the status with a message and the bare file list. */
export const AddedTorrent = z
  .object({
    ...statusFields,
    message: z.string().openapi({ example: 'Torrent added successfully' }),
    files: z.array(z.object({ name: z.string(), path: z.string(), length: z.number().int() })),
  })
  .openapi('AddedTorrent');

const TorrentSummary = z.object({
  infoHash: z.string(),
  name: z.string(),
  status,
  progress: percent,
  peers: z.number().int(),
  downloadSpeed: z.number(),
  uploadSpeed: z.number(),
  timeRemaining: z.number().nullable(),
  cached: z.boolean(),
  addedAt: z.string(),
  error: z.string().optional(),
});

export const TorrentList = z
  .object({
    total: z.number().int(),
    downloadSpeed: z.number(),
    uploadSpeed: z.number(),
    torrents: z.array(TorrentSummary),
    dht,
  })
  .openapi('TorrentList');

/**
 * Documentation only: readAddRequest() takes the body as it is and the domain (parseTorrentInput,
 * parseImdbLinkFields) validates it with messages clients and tests rely on, so a zod type check in
 * front would change what is accepted or what is said.
 */
export const AddTorrent = z
  .object({
    magnetUri: z
      .string()
      .optional()
      .openapi({ description: 'magnet:?xt=urn:btih:… (a bare info hash is accepted too)' }),
    infoHash: z.string().optional(),
    torrentUrl: z.string().optional().openapi({ description: 'http(s) URL of a .torrent file' }),
    name: z.string().optional(),
    wait: z.boolean().default(true),
    imdbId: z
      .string()
      .regex(/^tt\d+$/)
      .optional()
      .openapi({ description: 'Link the torrent to this IMDb title for the Stremio addon' }),
    season: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: 'With imdbId: the season (a season pack is split into episodes by file name)' }),
    episode: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: 'With imdbId and season: this torrent is that episode' }),
  })
  .openapi('AddTorrent');

const torrentFile = z.string().openapi({ format: 'binary' });
const formField = (description?: string) =>
  z
    .string()
    .optional()
    .openapi(description ? { description } : {});
const rawBodyField = formField('With a raw .torrent body only: the field of the same name in the JSON body');

const notFound = failure('Unknown torrent');

export const registerTorrentContract: Registrar = (registry) => {
  registry.registerPath({
    method: 'post',
    path: '/api/torrents',
    summary: 'Add a torrent',
    description:
      'JSON body, a raw .torrent (application/x-bittorrent) or a multipart form with a "torrent" file. ' +
      'Waits up to 15 s for metadata unless wait=false.',
    request: {
      query: z.object({
        name: rawBodyField,
        wait: rawBodyField,
        imdbId: rawBodyField,
        season: rawBodyField,
        episode: rawBodyField,
      }),
      body: {
        content: {
          'application/json': { schema: AddTorrent },
          'application/x-bittorrent': { schema: torrentFile },
          'application/octet-stream': { schema: torrentFile },
          'multipart/form-data': {
            schema: z.object({
              torrent: torrentFile.optional(),
              magnetUri: formField(),
              name: formField(),
              wait: formField(),
              imdbId: formField(),
              season: formField(),
              episode: formField(),
            }),
          },
        },
      },
    },
    responses: {
      200: ok(AddedTorrent, 'Already present, or found in cache (cached: true)'),
      201: ok(AddedTorrent, 'Added'),
      400: failure('Invalid input'),
      502: failure('Torrent failed or .torrent URL unreachable'),
      507: failure('Not enough disk space'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/torrents',
    summary: 'List torrents (active and cached)',
    responses: { 200: ok(TorrentList) },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/torrents/{infoHash}',
    summary: 'Torrent status',
    request: { params: torrentParams },
    responses: { 200: ok(TorrentStatus), 400: failure('Bad info hash'), 404: notFound },
  });

  registry.registerPath({
    method: 'delete',
    path: '/api/torrents/{infoHash}',
    summary: 'Remove a torrent',
    request: { params: torrentParams, query: removeTorrentQuery },
    responses: {
      200: okWithMessage(
        z.object({
          infoHash: z.string(),
          deletedFiles: z.boolean(),
          keptInCache: z.boolean().openapi({ description: 'Finished files stay in the cache and keep streaming' }),
        }),
      ),
      400: failure('Bad info hash'),
      404: notFound,
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/torrents/{infoHash}/files',
    summary: 'Files of a torrent with per-file progress',
    request: { params: torrentParams },
    responses: {
      200: ok(z.object({ infoHash: z.string(), files: z.array(FileSchema), count: z.number().int() })),
      400: failure('Bad info hash'),
      404: notFound,
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/events',
    summary: 'Live torrent list (server-sent events)',
    description:
      'A text/event-stream of `event: torrents` frames whose data is the `data` of GET /api/torrents. ' +
      'Sent at once on connect, then at most once a second and only when the list changed; a `: keep-alive` ' +
      'comment after 15 s of silence. Nothing is computed while no client is connected.',
    responses: {
      200: {
        description: 'Event stream',
        content: {
          'text/event-stream': {
            schema: z.string().openapi({ example: 'event: torrents\ndata: {"total":1,"torrents":[...]}\n\n' }),
          },
        },
      },
    },
  });
};
