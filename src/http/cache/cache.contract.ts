import { failure, ok, okWithMessage, type Registrar } from '../shared/contract.js';
import { infoHash, infoHashPath } from '../shared/params.js';
import { z } from '../shared/zod.js';

/** Contract of /api/cache-stats, /api/cache-config and /api/cache/* (cache.routes.ts). */

export const MAX_CHECK = 200;
const CHECK_HELP = 'Send {"infoHashes": ["<40 hex>", ...]}';
const CLEANUP_HELP = 'Send {"forceCleanup": true} to run a cleanup now';

export const cacheHashParams = z.object({ infoHash: infoHashPath });

// The messages are the ones clients saw before these schemas existed: one per kind of mistake.
export const CleanupRequest = z
  .object({ forceCleanup: z.literal(true, CLEANUP_HELP) }, CLEANUP_HELP)
  .openapi('CleanupRequest');

export const CheckRequest = z
  .object(
    {
      infoHashes: z
        .array(infoHash, CHECK_HELP)
        .min(1, CHECK_HELP)
        .max(MAX_CHECK, `At most ${MAX_CHECK} info hashes per request`),
    },
    CHECK_HELP,
  )
  .openapi('CheckRequest');

const backend = z.enum(['memory', 'sqlite', 'redis']);
const percent = z.string().openapi({ example: '12.50' });
const mb = (description: string) => z.number().openapi({ description });

export const CacheStats = z
  .object({
    backend,
    size: z.number().int().openapi({ description: 'Cached torrents' }),
    maxSize: z.number().int(),
    diskUsage: mb('MB used, reservations of downloads in progress included'),
    cachedBytes: z.number().int(),
    reservedBytes: z.number().int(),
    maxDiskUsage: mb('MB'),
    diskUsagePercent: percent,
    cleanupInterval: z.number().int().openapi({ description: 'Seconds' }),
    ttl: z.number().int().openapi({ description: 'Seconds' }),
    hits: z.number().int(),
    misses: z.number().int(),
    hitRate: percent,
    evictions: z.number().int(),
    scalingInfo: z.object({
      backend,
      isScalable: z.boolean(),
      supportsPersistence: z.boolean(),
      recommendedForProduction: z.boolean(),
    }),
  })
  .openapi('CacheStats');

export const CacheConfig = z
  .object({
    backend,
    maxSize: z.number().int(),
    currentSize: z.number().int(),
    maxDiskUsage: mb('MB'),
    currentDiskUsage: mb('MB'),
    diskUsagePercent: percent,
    cleanupInterval: z.number().int().openapi({ description: 'Seconds' }),
    ttl: z.number().int().openapi({ description: 'Seconds' }),
    minFreeMB: mb('Free disk space the cleaner keeps, MB'),
  })
  .openapi('CacheConfig');

const CleanupResult = z.object({
  cleanedCount: z.number().int(),
  freedSpaceMB: z.number(),
  finalSize: z.number().int(),
  finalDiskUsage: mb('MB'),
});

const CheckResult = z.object({
  infoHash: z.string(),
  cached: z.boolean(),
  files: z.array(z.object({ index: z.number().int(), name: z.string(), length: z.number().int() })),
  active: z
    .object({ status: z.string(), progress: percent, numPeers: z.number().int() })
    .nullable()
    .openapi({ description: 'The download in progress, null when not active' }),
});

export const registerCacheContract: Registrar = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/api/cache-stats',
    summary: 'Disk cache statistics: size, disk usage, hits and misses, evictions',
    responses: { 200: ok(CacheStats) },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/cache-config',
    summary: 'Cache limits in effect (CACHE_MAX_SIZE, CACHE_MAX_DISK_MB, CACHE_TTL, ...) and current usage',
    responses: { 200: ok(CacheConfig) },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/cache-config',
    summary: 'Run a cache cleanup now (expired entries, over-limit eviction, orphaned files)',
    request: { body: { required: true, content: { 'application/json': { schema: CleanupRequest } } } },
    responses: { 200: okWithMessage(CleanupResult, 'Cleaned'), 400: failure('Body is not {"forceCleanup": true}') },
  });

  registry.registerPath({
    method: 'delete',
    path: '/api/cache/{infoHash}',
    summary: 'Delete a torrent from the cache: stops it if active, deletes its files and index entries',
    request: { params: cacheHashParams },
    responses: {
      200: okWithMessage(z.object({ infoHash: z.string(), deletedFiles: z.literal(true) }), 'Removed from cache'),
      400: failure('Bad info hash'),
      404: failure('Unknown torrent'),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/cache/rebuild',
    summary:
      'Admin: rebuild the index from DOWNLOAD_DIR/<infoHash>/ and the stored .torrent files (also done at start-up)',
    description:
      'Files of the right size with every block written are indexed at once; full-size files with holes have their pieces checked against the .torrent in the background (`verifying`).',
    responses: {
      200: okWithMessage(
        z.object({
          scanned: z.number().int(),
          indexed: z.number().int(),
          alreadyIndexed: z.number().int(),
          verifying: z.number().int(),
          skipped: z.number().int(),
          durationMs: z.number(),
        }),
        'Rebuilt',
      ),
      403: failure('Not the admin token'),
      503: failure('The index is unreachable'),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/cache/check',
    summary: `Which of these torrents are cached (and which files), and how far active ones are; at most ${MAX_CHECK}`,
    request: { body: { required: true, content: { 'application/json': { schema: CheckRequest } } } },
    responses: { 200: ok(z.array(CheckResult)), 400: failure('Not a list of 1 to 200 info hashes') },
  });
};
