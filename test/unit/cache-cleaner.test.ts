import { PooledFileStore } from '../../src/adapters/node-file-store.js';
import { MemoryCacheIndex } from '../../src/adapters/memory-cache-index.js';
import { FileTorrentMetaStore } from '../../src/adapters/torrent-meta-store.js';
import { silentLogger } from '../../src/logger.js';
import type { CacheEntry } from '../../src/ports/cache-index.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Disk } from '../../src/ports/disk.js';
import { CacheCleaner } from '../../src/services/cache-cleaner.service.js';
import { CacheService } from '../../src/services/cache.service.js';
import { TorrentService } from '../../src/services/torrent.service.js';
import { noEngine } from '../fixtures/no-engine.js';

// The cleaner's rules with strict fakes (a recording disk, a fixed clock, no torrents active);
// the real-disk behaviour is covered by test/integration/cache-flow.test.ts.
const NOW = 1_000_000;
const clock: Clock = { now: () => NOW, sleep: async () => undefined };

function recordingDisk(freeBytes = 10 ** 12) {
  const removed: string[] = [];
  const disk: Disk = {
    fileSize: async () => undefined,
    freeBytes: async () => freeBytes,
    removeFile: async (p) => {
      removed.push(p);
    },
    removeDir: async () => undefined,
    list: async () => [],
    walkFiles: async () => [],
  };
  return { disk, removed };
}

const hash = (n: number) => n.toString(16).padStart(40, '0');
const entry = (n: number, over: Partial<CacheEntry> = {}): CacheEntry => ({
  infoHash: hash(n),
  fileIndex: 0,
  path: `${hash(n)}/f${n}.mkv`,
  size: 100,
  torrentName: `T${n}`,
  fileName: `f${n}.mkv`,
  createdAt: n,
  lastAccessed: n,
  hits: 0,
  ...over,
});

async function setup(
  limits: { maxSize?: number; maxDiskBytes?: number; ttlMs?: number; minFreeBytes?: number } = {},
  freeBytes?: number,
) {
  const index = new MemoryCacheIndex({ maxEntries: 10_000 });
  const { disk, removed } = recordingDisk(freeBytes);
  const cache = new CacheService({
    index,
    metaStore: new FileTorrentMetaStore('/nonexistent/.torrents'),
    disk,
    files: new PooledFileStore(),
    clock,
    downloadDir: '/dl',
    logger: silentLogger,
  });
  const torrents = new TorrentService(noEngine, clock, { timeoutMs: 1000, maxRetries: 0 }, silentLogger);
  const cleaner = new CacheCleaner(
    cache,
    torrents,
    clock,
    {
      maxSize: 1000,
      maxDiskBytes: 10 ** 12,
      ttlMs: 0,
      minFreeBytes: 0,
      orphanGraceMs: 10 ** 9,
      ...limits,
    },
    silentLogger,
  );
  return { index, cache, cleaner, removed };
}

test('evicts least recently accessed first, down to CACHE_MAX_SIZE', async () => {
  const { index, cleaner, removed } = await setup({ maxSize: 2 });
  for (const n of [3, 1, 4, 2]) await index.upsert(entry(n));
  const result = await cleaner.cleanup();
  expect(result).toMatchObject({ cleanedCount: 2, evicted: 2, expired: 0, freedBytes: 200 });
  expect(removed).toEqual([`/dl/${hash(1)}/f1.mkv`, `/dl/${hash(2)}/f2.mkv`]);
  expect((await index.all()).map((e) => e.infoHash).sort()).toEqual([hash(3), hash(4)]);
});

test('TTL expires only entries idle longer than CACHE_TTL', async () => {
  const { index, cleaner } = await setup({ ttlMs: 500 });
  await index.upsert(entry(1, { lastAccessed: NOW - 600 }));
  await index.upsert(entry(2, { lastAccessed: NOW - 100 }));
  expect(await cleaner.cleanup()).toMatchObject({ expired: 1, evicted: 0 });
  expect((await index.all()).map((e) => e.infoHash)).toEqual([hash(2)]);
});

test('a file with a reader is skipped and the next oldest goes instead', async () => {
  const { index, cache, cleaner } = await setup({ maxSize: 1 });
  await index.upsert(entry(1));
  await index.upsert(entry(2));
  const release = cache.lease(hash(1), 0);
  await cleaner.cleanup();
  expect((await index.all()).map((e) => e.infoHash)).toEqual([hash(1)]);
  release();
});

test('a reader that arrives while the batch is being removed keeps its file on disk', async () => {
  const { index, cache, cleaner, removed } = await setup({ maxSize: 0 });
  await index.upsert(entry(1));
  await index.upsert(entry(2));
  const removeMany = index.removeMany.bind(index);
  index.removeMany = async (keys) => {
    cache.lease(hash(2), 0); // a player opens file 2 in the middle of the eviction
    return removeMany(keys);
  };
  await cleaner.cleanup();
  expect(removed).toEqual([`/dl/${hash(1)}/f1.mkv`]);
});

test('reservations: what cannot fit even after eviction is refused, and reservations count', async () => {
  const { index, cleaner } = await setup({ maxDiskBytes: 250 });
  await index.upsert(entry(1));
  await cleaner.reserve(hash(9), 0, 200); // evicts entry 1 to make room
  expect(await index.all()).toEqual([]);
  await expect(cleaner.reserve(hash(8), 0, 100)).rejects.toMatchObject({ code: 'INSUFFICIENT_STORAGE' });
  cleaner.fileFinished(hash(9), 0);
  await expect(cleaner.reserve(hash(8), 0, 100)).resolves.toBeUndefined();
});

test('CACHE_MIN_FREE_MB: a reservation that would eat into the free-space floor is refused', async () => {
  const { cleaner } = await setup({ minFreeBytes: 1000 }, 1050);
  await expect(cleaner.reserve(hash(1), 0, 100)).rejects.toMatchObject({ code: 'INSUFFICIENT_STORAGE' });
  await expect(cleaner.reserve(hash(1), 0, 40)).resolves.toBeUndefined();
});
