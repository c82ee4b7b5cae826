import { failure, ok, plainJson, type Registrar } from '../shared/contract.js';
import { z } from '../shared/zod.js';

/** Contract of /health, /status and /docs* (system.routes.ts). */

const dht = z.object({ enabled: z.boolean(), nodes: z.number().int() });
const torrentHealth = z.object({
  status: z.literal('running'),
  activeTorrents: z.number().int(),
  downloadSpeed: z.number(),
  uploadSpeed: z.number(),
  dht,
});
const cacheHealth = z.object({
  status: z.enum(['running', 'disabled', 'error']),
  backend: z.string().optional(),
  size: z.number().int().optional(),
  maxSize: z.number().int().optional(),
  diskUsage: z.string().optional().openapi({ example: '0.00%' }),
  error: z.string().optional(),
});

export const Health = z
  .object({
    status: z.enum(['healthy', 'unhealthy']),
    timestamp: z.string(),
    uptime: z.number().int().openapi({ description: 'Seconds' }),
    version: z.string(),
    services: z.object({ torrent: torrentHealth, cache: cacheHealth }),
    config: z.object({
      port: z.number().int(),
      timeout: z.number().int(),
      maxRetries: z.number().int(),
      cacheBackend: z.enum(['memory', 'sqlite', 'redis']),
    }),
  })
  .openapi('Health');

export const SystemStatus = z
  .object({
    version: z.string(),
    uptime: z.number().int(),
    node: z.string(),
    memory: z.object({ rss: z.number().int(), heapUsed: z.number().int() }),
    torrent: torrentHealth,
    dht,
    cache: cacheHealth,
    config: z.object({
      downloadDir: z.string(),
      trackers: z.number().int(),
      maxConnections: z.number().int(),
      downloadLimitKiB: z.number(),
      uploadLimitKiB: z.number(),
    }),
  })
  .openapi('SystemStatus');

const openApi = z.record(z.string(), z.unknown());

export const registerSystemContract: Registrar = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/health',
    summary: 'Health check',
    responses: { 200: plainJson(Health, 'Healthy'), 503: plainJson(Health, 'A dependency is down') },
  });

  registry.registerPath({
    method: 'get',
    path: '/status',
    summary: 'System status: torrents, speeds, DHT nodes, memory, cache',
    responses: { 200: ok(SystemStatus) },
  });

  registry.registerPath({
    method: 'get',
    path: '/docs',
    summary: 'This document (JSON with Accept: application/json or /docs.json; otherwise a readable page)',
    responses: {
      200: {
        description: 'OpenAPI 3 document or HTML',
        content: { 'application/json': { schema: openApi }, 'text/html': {} },
      },
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/docs.json',
    summary: 'This document as JSON (OpenAPI 3.0), generated from the route contracts',
    responses: { 200: plainJson(openApi, 'OpenAPI 3 document') },
  });

  registry.registerPath({
    method: 'get',
    path: '/docs/docs.js',
    summary: 'Script of the /docs page: starts Swagger UI on /docs.json',
    responses: { 200: { description: 'JavaScript', content: { 'application/javascript': { schema: z.string() } } } },
  });

  registry.registerPath({
    method: 'get',
    path: '/docs/assets/{asset}',
    summary:
      "Swagger UI's files (swagger-ui-dist, served locally: nothing from the internet); " +
      'Cache-Control max-age=1 day',
    request: { params: z.object({ asset: z.string().openapi({ example: 'swagger-ui-bundle.js' }) }) },
    responses: { 200: { description: 'The file with its MIME type' }, 404: failure('No such asset') },
  });
};
