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
