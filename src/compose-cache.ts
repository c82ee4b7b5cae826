import path from 'node:path';
import { createCacheIndex } from './adapters/cache-index-factory.js';
import { loadSnapshot, saveSnapshot } from './adapters/memory-snapshot.js';
import { nodeDisk } from './adapters/node-disk.js';
import { PooledFileStore } from './adapters/node-file-store.js';
import { RedisLeases } from './adapters/redis-leases.js';
import { FileTorrentMetaStore } from './adapters/torrent-meta-store.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Clock } from './ports/clock.js';
import { CacheAdminService } from './services/cache-admin.service.js';
import { CacheCleaner } from './services/cache-cleaner.service.js';
import { CacheService } from './services/cache.service.js';
import { guardCacheIndex } from './services/guarded-cache-index.js';
import { NodeIdentity } from './services/node-identity.js';
import type { TorrentService } from './services/torrent.service.js';

const MB = 1024 * 1024;

/**
 * The cache half of the composition root: the index named by CACHE_BACKEND, the cache service,
 * the cleaner (which is also the torrents' storage guard) and the admin view, wired to the torrents.
 */
export async function composeCache(config: Config, torrents: TorrentService, clock: Clock, logger: Logger) {
  const index = await createCacheIndex(config, logger);
  // CACHE_PERSISTENT for the memory backend: a JSON snapshot beside the SQLite file's place.
  const snapshotFile =
    config.cache.backend === 'memory' && config.cache.persistent
      ? path.join(path.dirname(config.cache.dbPath), 'cache-index.json')
      : undefined;
  if (snapshotFile) await loadSnapshot(index, snapshotFile);
  const metaStore = new FileTorrentMetaStore(path.join(config.downloadDir, '.torrents'));
  // Several instances share a Redis index; each one's files are on its own disk (README "Several instances").
  const clustered = config.cache.backend === 'redis';
  const node = new NodeIdentity(config.node.id, config.node.url, clustered);
  const shared = clustered
    ? await RedisLeases.connect({
        url: config.redis.url,
        keyPrefix: config.redis.keyPrefix,
        ...(config.redis.password ? { password: config.redis.password } : {}),
        node: node.id,
        nodeUrl: () => node.url,
        ttlMs: config.node.leaseTtlMs,
        onError: (err) => logger.debug({ err: err.message }, 'lease heartbeat failed'),
      })
    : undefined;
  // One pool of open cached files for the whole server (streams and index rebuilds read through it).
  const files = new PooledFileStore();
  const cache = new CacheService({
    index: guardCacheIndex(index, logger),
    metaStore,
    disk: nodeDisk,
    files,
    clock,
    downloadDir: config.downloadDir,
    logger,
    node,
    ...(shared ? { shared } : {}),
  });
  const cleaner = new CacheCleaner(
    cache,
    torrents,
    clock,
    {
      maxSize: config.cache.maxSize,
      maxDiskBytes: config.cache.maxDiskMb * MB,
      ttlMs: config.cache.ttlSeconds * 1000,
      minFreeBytes: config.cache.minFreeMb * MB,
      orphanGraceMs: config.cache.orphanGraceSeconds * 1000,
    },
    logger,
  );
  torrents.setStorageGuard(cleaner);
  torrents.onFileDone((event) => {
    cleaner.fileFinished(event.infoHash, event.fileIndex);
    cache.recordFinishedFile(event);
  });
  const admin = new CacheAdminService(
    cache,
    cleaner,
    torrents,
    config.cache.cleanupIntervalSeconds,
    config.cache.persistent,
  );
  const close = async () => {
    if (snapshotFile) await saveSnapshot(index, snapshotFile);
    await shared?.close();
    await index.close();
    files.closeAll();
  };
  return { cache, cleaner, admin, node, files, close };
}
