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
      '/health': { get: { summary: 'Health check', responses: { 200: { description: 'Healthy' }, 503: { description: 'A dependency is down' } } } },
      '/status': { get: { summary: 'System status: torrents, speeds, DHT nodes, memory, cache', responses: { 200: ok({ type: 'object' }) } } },
      '/docs': { get: { summary: 'This document (JSON with Accept: application/json or /docs.json; otherwise a readable page)', responses: { 200: { description: 'OpenAPI 3 document or HTML' } } } },
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
