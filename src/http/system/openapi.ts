import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { registerAuthContract } from '../auth/auth.contract.js';
import { registerHlsContract } from '../hls/hls.contract.js';
import { registerCacheContract } from '../cache/cache.contract.js';
import { registerKodiContract } from '../kodi/kodi.contract.js';
import type { Registrar } from '../shared/contract.js';
import { registerStreamContract } from '../streams/stream.contract.js';
import { registerStremioContract } from '../stremio/stremio.contract.js';
import { registerTorrentContract } from '../torrents/torrent.contract.js';
import { registerWebContract } from '../web/web.contract.js';
import { registerMetricsContract } from './metrics.contract.js';
import { registerSystemContract } from './system.contract.js';

/**
 * Every folder's contract, in the order the composition root mounts the routers, so the document
 * reads like the app. A new route folder adds its registrar here; test/integration/openapi.test.ts
 * fails for any route of the router stack that no contract documents.
 */
const CONTRACTS: readonly Registrar[] = [
  registerSystemContract,
  registerMetricsContract,
  registerAuthContract,
  registerTorrentContract,
  registerStreamContract,
  registerHlsContract,
  registerCacheContract,
  registerKodiContract,
  registerWebContract,
  registerStremioContract,
];

/**
 * The OpenAPI 3.0 description of every route, served at /docs and /docs.json, generated from the
 * same zod schemas the routes validate with, so the two cannot drift apart.
 */
export function openApiDocument(version: string): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  for (const register of CONTRACTS) register(registry);
  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Torrent Stream Server',
      version,
      description:
        'Add torrents by magnet, info hash or .torrent and stream any file over HTTP with full Range ' +
        'support while it downloads.',
    },
  });
  return document as unknown as Record<string, unknown>;
}
