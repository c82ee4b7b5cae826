/**
 * The OpenAPI 3 description of every route, served at /docs (JSON and a readable page).
 * Kept beside the routes so a new route and its description land in the same change.
 */
type Schema = Record<string, unknown>;

const ok = (data: Schema, description = 'OK') => ({
  description,
  content: { 'application/json': { schema: { type: 'object', properties: { success: { type: 'boolean', enum: [true] }, data } } } },
});
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const hashParam = { name: 'infoHash', in: 'path', required: true, description: '40 hex or 32 base32 characters', schema: { type: 'string' } };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const rangeResponses = {
  200: { description: 'Whole file', headers: { 'Accept-Ranges': { schema: { type: 'string' } } } },
  206: { description: 'Partial content (one range, or multipart/byteranges for several)' },
  304: { description: 'Not modified (If-None-Match / If-Modified-Since)' },
  400: error('Bad info hash or file index'),
  404: error('Unknown file index'),
  416: { description: 'Range not satisfiable; Content-Range: bytes */SIZE' },
  502: error('The torrent failed (no peers after every retry)'),
  504: error('Metadata did not arrive within TORRENT_TIMEOUT'),
  507: error('Not enough disk space for this torrent'),
};
const streamHeaders = [
  { name: 'Range', in: 'header', schema: { type: 'string' }, example: 'bytes=0-1023' },
  { name: 'If-Range', in: 'header', schema: { type: 'string' } },
  { name: 'download', in: 'query', schema: { type: 'boolean' }, description: 'Content-Disposition: attachment' },
];

export function openApiDocument(version: string): Schema {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Torrent Stream Server',
      version,
      description: 'Add torrents by magnet, info hash or .torrent and stream any file over HTTP with full Range support while it downloads.',
    },
    paths: {
      '/api/torrents': {
        post: {
          summary: 'Add a torrent',
          description: 'JSON body, a raw .torrent (application/x-bittorrent) or a multipart form with a "torrent" file. Waits up to 15 s for metadata unless wait=false.',
          requestBody: {
            content: {
              'application/json': { schema: ref('AddTorrent') },
              'application/x-bittorrent': { schema: { type: 'string', format: 'binary' } },
              'multipart/form-data': { schema: { type: 'object', properties: { torrent: { type: 'string', format: 'binary' }, magnetUri: { type: 'string' } } } },
            },
          },
          responses: { 200: ok(ref('TorrentStatus'), 'Already present, or found in cache (cached: true)'), 201: ok(ref('TorrentStatus'), 'Added'), 400: error('Invalid input'), 502: error('Torrent failed or .torrent URL unreachable'), 507: error('Not enough disk space') },
        },
        get: { summary: 'List torrents (active and cached)', responses: { 200: ok(ref('TorrentList')) } },
      },
      '/api/torrents/{infoHash}': {
        get: { summary: 'Torrent status', parameters: [hashParam], responses: { 200: ok(ref('TorrentStatus')), 404: error('Unknown torrent') } },
        delete: {
          summary: 'Remove a torrent',
          parameters: [hashParam, { name: 'deleteFiles', in: 'query', schema: { type: 'boolean', default: false } }],
          responses: { 200: ok({ type: 'object', properties: { infoHash: { type: 'string' }, deletedFiles: { type: 'boolean' } } }), 404: error('Unknown torrent') },
        },
      },
      '/api/torrents/{infoHash}/files': {
        get: { summary: 'Files of a torrent with per-file progress', parameters: [hashParam], responses: { 200: ok({ type: 'object', properties: { infoHash: { type: 'string' }, files: { type: 'array', items: ref('File') }, count: { type: 'integer' } } }), 404: error('Unknown torrent') } },
      },
      '/stream/proxy/{infoHash}': {
        get: {
          summary: 'Stream a file with Range support (GET and HEAD)',
          description: 'Starts the torrent from its hash when unknown. Default file: the largest video.',
          parameters: [hashParam, { name: 'fileIndex', in: 'query', schema: { type: 'integer' } }, ...streamHeaders],
          responses: rangeResponses,
        },
      },
      '/stream/{infoHash}/{fileIndex}/{fileName}': {
        get: {
          summary: 'Player-friendly stream URL ending in the file name',
          parameters: [hashParam, { name: 'fileIndex', in: 'path', required: true, schema: { type: 'integer' } }, { name: 'fileName', in: 'path', required: true, schema: { type: 'string' } }, ...streamHeaders],
          responses: rangeResponses,
        },
      },
      '/stream/file/{infoHash}/{fileIndex}': {
        get: { summary: 'Redirect to /stream/proxy/{infoHash}?fileIndex=N', parameters: [hashParam, { name: 'fileIndex', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 302: { description: 'Redirect' } } },
      },
      '/stream/info/{infoHash}': {
        get: { summary: 'Streamable files of a torrent', parameters: [hashParam], responses: { 200: ok({ type: 'object' }), 404: error('Unknown torrent') } },
      },
      '/api/kodi/play': {
        post: {
          summary: 'Play a file on Kodi (JSON-RPC Player.Open with our absolute stream URL)',
          description: 'The torrent must be added (or cached). Default file: the largest video. Kodi answers "OK" even for a URL it cannot play, so success means "request accepted", not "playing". Kodi defaults: KODI_URL, KODI_USERNAME, KODI_PASSWORD.',
          requestBody: { required: true, content: { 'application/json': { schema: ref('KodiPlay') } } },
          responses: { 200: ok(ref('KodiSent')), 400: error('Bad input, or no Kodi URL (set KODI_URL or send kodi.url)'), 404: error('Unknown torrent or file index'), 502: error('Kodi unreachable, timed out (5 s), rejected the credentials or returned a JSON-RPC error') },
        },
      },
      '/api/kodi/queue': {
        post: {
          summary: 'Append a file to Kodi\'s video playlist (JSON-RPC Playlist.Add, playlist 1)',
          requestBody: { required: true, content: { 'application/json': { schema: ref('KodiPlay') } } },
          responses: { 200: ok(ref('KodiSent')), 400: error('Bad input, or no Kodi URL'), 404: error('Unknown torrent or file index'), 502: error('Kodi error (see message)') },
        },
      },
      '/api/kodi/status': {
        get: {
          summary: 'Is Kodi reachable? (JSONRPC.Ping + Application.GetProperties)',
          parameters: [{ name: 'url', in: 'query', schema: { type: 'string' }, description: 'Kodi web server URL; default KODI_URL. The configured credentials are only sent to KODI_URL\'s host.' }],
          responses: {
            200: ok({ type: 'object', properties: { reachable: { type: 'boolean' }, kodi: { type: 'string' }, name: { type: 'string' }, version: { type: 'object', properties: { major: { type: 'integer' }, minor: { type: 'integer' } } } } }),
            400: error('No Kodi URL'),
            502: error('Kodi unreachable or refused'),
          },
        },
      },
      '/playlist/{infoHash}.m3u': {
        get: {
          summary: 'M3U playlist of the video and audio files of a torrent (absolute player URLs)',
          description: 'Ordered by path with numeric comparison; a torrent without media files gives an empty playlist. URLs use PUBLIC_URL, else the request\'s X-Forwarded-Proto/Host or Host.',
          parameters: [hashParam],
          responses: { 200: { description: 'audio/x-mpegurl; charset=utf-8', content: { 'audio/x-mpegurl': { schema: { type: 'string' } } } }, 400: error('Bad info hash'), 404: error('Unknown torrent') },
        },
      },
      '/playlist/all.m3u': {
        get: { summary: 'M3U playlist of every video and audio file of every torrent, active or cached', responses: { 200: { description: 'audio/x-mpegurl; charset=utf-8', content: { 'audio/x-mpegurl': { schema: { type: 'string' } } } } } },
      },
      '/strm/{infoHash}/{fileIndex}.strm': {
        get: {
          summary: 'Kodi .strm file: the absolute stream URL of one file',
          parameters: [hashParam, { name: 'fileIndex', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: { 200: { description: 'text/plain; charset=utf-8', content: { 'text/plain': { schema: { type: 'string' } } } }, 400: error('Bad info hash or file index'), 404: error('Unknown torrent or file index') },
        },
      },
      '/health': { get: { summary: 'Health check', responses: { 200: { description: 'Healthy' }, 503: { description: 'A dependency is down' } } } },
      '/status': { get: { summary: 'System status: torrents, speeds, DHT nodes, memory, cache', responses: { 200: ok({ type: 'object' }) } } },
      '/docs': { get: { summary: 'This document (JSON with Accept: application/json or /docs.json; otherwise a readable page)', responses: { 200: { description: 'OpenAPI 3 document or HTML' } } } },
      '/api/events': {
        get: {
          summary: 'Live torrent list (server-sent events)',
          description: 'A text/event-stream of `event: torrents` frames whose data is the `data` of GET /api/torrents. Sent at once on connect, then at most once a second and only when the list changed; a `: keep-alive` comment after 15 s of silence. Nothing is computed while no client is connected.',
          responses: { 200: { description: 'Event stream', content: { 'text/event-stream': { schema: { type: 'string', example: 'event: torrents\ndata: {"total":1,"torrents":[...]}\n\n' } } } } },
        },
      },
      '/': { get: { summary: 'Web dashboard: add torrents, live progress, play, copy stream URLs, cache panel, Stremio install link', responses: { 200: { description: 'HTML page', content: { 'text/html': {} } } } } },
      '/test-torrent-streaming': { get: { summary: 'Test page: add a magnet or info hash and stream it in an HTML5 player', responses: { 200: { description: 'HTML page', content: { 'text/html': {} } } } } },
      '/web/{asset}': {
        get: {
          summary: 'Static assets of the web pages (JS, CSS); Cache-Control: no-cache with ETag revalidation',
          parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string' }, example: 'app.js' }],
          responses: { 200: { description: 'The file with its MIME type' }, 304: { description: 'Not modified' }, 404: error('No such asset') },
        },
      },
      '/manifest.json': {
        get: {
          summary: 'Stremio addon manifest (install URL); built with stremio-addon-sdk',
          description: 'Catalog "My torrents", meta for btih: ids, streams for btih: and IMDb (tt…, tt…:S:E) ids. Stremio resource routes follow the addon protocol: /catalog/{type}/{id}.json, /meta/{type}/{id}.json, /stream/{type}/{id}.json (and /{config}/… for a configured install). Cache-Control carries cacheMaxAge.',
          responses: { 200: { description: 'Addon manifest', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/{config}/manifest.json': {
        get: {
          summary: 'Manifest of a configured install',
          parameters: [{ name: 'config', in: 'path', required: true, description: 'URL-encoded JSON {"cachedOnly":true,"upstreams":["<key>"]} (the stremio-addon-sdk format); keys come from /configure', schema: { type: 'string' } }],
          responses: { 200: { description: 'Addon manifest without behaviorHints.configurable' } },
        },
      },
      '/catalog/{type}/{id}.json': {
        get: {
          summary: 'Stremio catalog "My torrents" (id tss-my-torrents): active and cached torrents, newest first',
          parameters: [{ name: 'type', in: 'path', required: true, schema: { type: 'string', enum: ['movie'] } }, { name: 'id', in: 'path', required: true, schema: { type: 'string', enum: ['tss-my-torrents'] } }],
          responses: { 200: { description: '{ metas: [...] }, Cache-Control max-age=30' }, 404: error('Unknown catalog') },
        },
      },
      '/meta/{type}/{id}.json': {
        get: {
          summary: 'Stremio meta of a torrent (id btih:<infoHash>); its video files are the videos',
          parameters: [{ name: 'type', in: 'path', required: true, schema: { type: 'string', enum: ['movie', 'series'] } }, { name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: 'btih:0123456789abcdef0123456789abcdef01234567' }],
          responses: { 200: { description: '{ meta }, max-age 30 s (active) or 1 day (cached)' }, 404: error('Unknown torrent') },
        },
      },
      '/stream/{type}/{id}.json': {
        get: {
          summary: 'Stremio streams: btih:<hash>[:<fileIndex>], or an IMDb id from library links and upstream addons (ADDON_UPSTREAMS, 5 s timeout each)',
          description: 'Every torrent stream is rewritten to an absolute URL on this server; files in the cache are marked "⚡ cached" and listed first.',
          parameters: [{ name: 'type', in: 'path', required: true, schema: { type: 'string', enum: ['movie', 'series'] } }, { name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: 'tt0944947:1:2' }],
          responses: { 200: { description: '{ streams: [...] }, max-age 1 day when all are cached and every upstream answered, else 30 s' } },
        },
      },
      '/configure': {
        get: {
          summary: 'Stremio addon configuration page (also /{config}/configure): builds the install URL',
          parameters: [{ name: 'build', in: 'query', schema: { type: 'string' } }, { name: 'cachedOnly', in: 'query', schema: { type: 'string' } }, { name: 'upstream', in: 'query', schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true }],
          responses: { 200: { description: 'HTML page', content: { 'text/html': {} } } },
        },
      },
      '/subtitles/{infoHash}/{fileIndex}.vtt': {
        get: {
          summary: 'A subtitle file of a torrent (SRT or VTT) as UTF-8 WebVTT, converted on the fly',
          parameters: [hashParam, { name: 'fileIndex', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: { 200: { description: 'WebVTT', content: { 'text/vtt': {} } }, 400: error('Not an SRT/VTT file, or bad parameters'), 404: error('Unknown file index'), 504: error('Metadata did not arrive within TORRENT_TIMEOUT') },
        },
      },
      '/poster/{infoHash}.svg': {
        get: {
          summary: 'A generated 300x450 poster for the Stremio catalog: the torrent\'s name on a gradient coloured by its info hash',
          parameters: [hashParam],
          responses: { 200: { description: 'SVG image (Cache-Control: public, max-age=86400)', content: { 'image/svg+xml': { schema: { type: 'string' } } } }, 400: error('Bad info hash'), 404: error('Unknown torrent') },
        },
      },
    },
    components: {
      schemas: {
        Error: {
          type: 'object',
          properties: { success: { type: 'boolean', enum: [false] }, error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        },
        AddTorrent: {
          type: 'object',
          properties: {
            magnetUri: { type: 'string', description: 'magnet:?xt=urn:btih:… (a bare info hash is accepted too)' },
            infoHash: { type: 'string' },
            torrentUrl: { type: 'string', description: 'http(s) URL of a .torrent file' },
            name: { type: 'string' },
            wait: { type: 'boolean', default: true },
            imdbId: { type: 'string', pattern: '^tt\\d+$', description: 'Link the torrent to this IMDb title for the Stremio addon' },
            season: { type: 'integer', minimum: 1, description: 'With imdbId: the season (a season pack is split into episodes by file name)' },
            episode: { type: 'integer', minimum: 1, description: 'With imdbId and season: this torrent is that episode' },
          },
        },
        File: {
          type: 'object',
          properties: { index: { type: 'integer' }, name: { type: 'string' }, path: { type: 'string' }, length: { type: 'integer' }, downloaded: { type: 'integer' }, progress: { type: 'string' } },
        },
        TorrentStatus: {
          type: 'object',
          properties: {
            infoHash: { type: 'string' },
            name: { type: 'string' },
            status: { type: 'string', enum: ['connecting', 'connected', 'downloading', 'complete', 'failed'] },
            progress: { type: 'string', example: '45.23' },
            downloadSpeed: { type: 'number' },
            uploadSpeed: { type: 'number' },
            downloaded: { type: 'number' },
            uploaded: { type: 'number' },
            numPeers: { type: 'integer' },
            timeRemaining: { type: 'number', nullable: true },
            cached: { type: 'boolean' },
            error: { type: 'string' },
            message: { type: 'string' },
            files: { type: 'array', items: ref('File') },
          },
        },
        KodiPlay: {
          type: 'object',
          required: ['infoHash'],
          properties: {
            infoHash: { type: 'string' },
            fileIndex: { type: 'integer', description: 'Default: the largest video file' },
            kodi: { type: 'object', description: 'Overrides KODI_URL/KODI_USERNAME/KODI_PASSWORD', properties: { url: { type: 'string', example: 'http://192.168.1.20:8080' }, username: { type: 'string' }, password: { type: 'string' } } },
          },
        },
        KodiSent: {
          type: 'object',
          properties: {
            action: { type: 'string', enum: ['play', 'queue'] },
            method: { type: 'string', enum: ['Player.Open', 'Playlist.Add'] },
            kodi: { type: 'string', description: 'Kodi URL without credentials' },
            infoHash: { type: 'string' },
            fileIndex: { type: 'integer' },
            fileName: { type: 'string' },
            url: { type: 'string', description: 'The stream URL sent to Kodi' },
            note: { type: 'string' },
          },
        },
        TorrentList: {
          type: 'object',
          properties: {
            total: { type: 'integer' },
            downloadSpeed: { type: 'number' },
            uploadSpeed: { type: 'number' },
            torrents: { type: 'array', items: { type: 'object' } },
            dht: { type: 'object', properties: { enabled: { type: 'boolean' }, nodes: { type: 'integer' } } },
          },
        },
      },
    },
  };
}
