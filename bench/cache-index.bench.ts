import { PooledFileStore } from '../src/adapters/node-file-store.js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryCacheIndex } from '../src/adapters/memory-cache-index.js';
import { RedisCacheIndex } from '../src/adapters/redis-cache-index.js';
import { SqliteCacheIndex } from '../src/adapters/sqlite-cache-index.js';
import { FileTorrentMetaStore } from '../src/adapters/torrent-meta-store.js';
import { silentLogger } from '../src/logger.js';
import type { CacheBackend, CacheEntry, CacheIndex } from '../src/ports/cache-index.js';
import { systemClock } from '../src/adapters/system-clock.js';
import { noEngine } from '../test/fixtures/no-engine.js';
import { CacheCleaner } from '../src/services/cache-cleaner.service.js';
import { CacheService } from '../src/services/cache.service.js';
import { TorrentService } from '../src/services/torrent.service.js';
import { BenchDeadline, FakeDisk } from './lib/fake-disk.js';
import { deleteRedisPrefix } from './lib/redis-keys.js';
import { median, prng } from './lib/stats.js';

// Each backend: fill N entries, then get / touch / upsert ops/s one at a time (as a request
// handler awaits them), then one CacheCleaner.cleanup() with limits that make ~10 % go.

export interface IndexOptions {
  entries: number;
  ops: number;
  opSeconds: number;
  evictFraction: number;
  passBudgetMs: number;
  redisUrl: string;
}
export interface IndexRow {
  backend: CacheBackend;
  fillPerS: number;
  getPerS: number;
  touchPerS: number;
  upsertPerS: number;
  totalsMs: number;
  oldest500Ms: number;
  pass: {
    toEvict: number;
    evicted: number;
    complete: boolean;
    evictMs: number;
    orphanScanMs: number;
    totalMs: number;
    evictedPerS: number;
    projectedMs: number;
    idlePassMs: number;
  };
  error?: string;
}

const hashOf = (i: number) => i.toString(16).padStart(40, '0');
const entryOf = (i: number, base: number): CacheEntry => ({
  infoHash: hashOf(i),
  fileIndex: 0,
  path: `${hashOf(i)}/Movie ${i}/movie.mkv`,
  size: 700_000_000 + i,
  torrentName: `Movie ${i}`,
  fileName: 'movie.mkv',
  createdAt: base,
  lastAccessed: base + i,
  hits: 0,
});

export async function cacheIndexBench(options: IndexOptions): Promise<IndexRow[]> {
  const rows: IndexRow[] = [];
  for (const backend of ['memory', 'sqlite', 'redis'] as const) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tss-bench-index-'));
    const prefix = `tss-bench-${randomUUID()}:`;
    let index: CacheIndex | undefined;
    try {
      index = await open(backend, dir, prefix, options);
      rows.push({ backend, ...(await measure(index, dir, options)) });
    } catch (err) {
      rows.push({ backend, error: (err as Error).message } as IndexRow);
    } finally {
      await index?.close().catch(() => undefined);
      if (backend === 'redis') await deleteRedisPrefix(options.redisUrl, prefix).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
    process.stdout.write('.');
  }
  process.stdout.write('\n');
  return rows;
}

async function open(backend: CacheBackend, dir: string, prefix: string, o: IndexOptions): Promise<CacheIndex> {
  // As createCacheIndex builds them for CACHE_MAX_SIZE = entries - evicted.
  if (backend === 'memory')
    return new MemoryCacheIndex({ maxEntries: Math.max(2 * Math.round(o.entries * (1 - o.evictFraction)), 10_000) });
  if (backend === 'sqlite') return new SqliteCacheIndex({ path: path.join(dir, 'cache.db') });
  return RedisCacheIndex.connect({ url: o.redisUrl, keyPrefix: prefix });
}

async function measure(index: CacheIndex, dir: string, o: IndexOptions): Promise<Omit<IndexRow, 'backend'>> {
  const base = Date.now() - o.entries - 60_000;
  const began = performance.now();
  for (let i = 0; i < o.entries; i += 256) {
    await Promise.all(
      Array.from({ length: Math.min(256, o.entries - i) }, (_, k) => index.upsert(entryOf(i + k, base))),
    );
  }
  const fillPerS = o.entries / ((performance.now() - began) / 1000);

  const random = prng(7);
  const pick = () => Math.floor(random() * o.entries);
  const getPerS = await opsPerSecond(o, () => index.get(hashOf(pick()), 0));
  // Touch and upsert only the newest half, so the LRU order the eviction pass sees stays as filled.
  const newer = () => o.entries - 1 - Math.floor(random() * (o.entries / 2));
  const touchPerS = await opsPerSecond(o, () => index.touch(hashOf(newer()), 0, Date.now()));
  const upsertPerS = await opsPerSecond(o, () => index.upsert(entryOf(newer(), base)));
  const totalsMs = await timeMedian(20, () => index.totals());
  const oldest500Ms = await timeMedian(5, () => index.oldest(500));
  return { fillPerS, getPerS, touchPerS, upsertPerS, totalsMs, oldest500Ms, pass: await evictionPass(index, dir, o) };
}

async function evictionPass(index: CacheIndex, dir: string, o: IndexOptions): Promise<IndexRow['pass']> {
  const downloadDir = path.join(dir, 'downloads');
  const maxSize = Math.round(o.entries * (1 - o.evictFraction));
  const toEvict = o.entries - maxSize;
  const disk = new FakeDisk(downloadDir, performance.now() + 60_000);
  for (let i = 0; i < o.entries; i++) disk.addTorrent(hashOf(i), `Movie ${i}/movie.mkv`, 700_000_000 + i);
  const cache = new CacheService({
    index,
    metaStore: new FileTorrentMetaStore(path.join(downloadDir, '.torrents')),
    disk,
    files: new PooledFileStore(),
    clock: systemClock,
    downloadDir,
    logger: silentLogger,
  });
  const torrents = new TorrentService(noEngine, systemClock, { timeoutMs: 1000, maxRetries: 0 }, silentLogger);
  const cleaner = new CacheCleaner(
    cache,
    torrents,
    systemClock,
    {
      maxSize,
      maxDiskBytes: Number.MAX_SAFE_INTEGER,
      ttlMs: 0,
      minFreeBytes: 0,
      orphanGraceMs: 600_000,
    },
    silentLogger,
  );

  const started = performance.now(); // setting up the fake disk is not part of the pass
  disk.deadline = started + o.passBudgetMs;
  const complete = await bounded(() => cleaner.cleanup({ sweepOrphans: true }));
  const ended = performance.now();
  const evicted = o.entries - (await index.totals()).count;
  const evictEnd = disk.orphanScanStartedAt ?? ended;
  const evictMs = evictEnd - started;
  const evictedPerS = evicted / (evictMs / 1000);
  return {
    toEvict,
    evicted,
    complete,
    evictMs,
    orphanScanMs: disk.orphanScanStartedAt === undefined ? NaN : ended - disk.orphanScanStartedAt,
    totalMs: ended - started,
    evictedPerS,
    // When the budget cut the pass short: how long evicting all of them would take at this pace.
    projectedMs: complete ? ended - started : (toEvict / evictedPerS) * 1000,
    idlePassMs: await idlePass(cache, torrents, disk, o.passBudgetMs),
  };
}

/** What the cron pays every interval once the cache is within its limits: nothing to evict, no orphan sweep due. */
async function idlePass(
  cache: CacheService,
  torrents: TorrentService,
  disk: FakeDisk,
  budgetMs: number,
): Promise<number> {
  const idle = new CacheCleaner(
    cache,
    torrents,
    systemClock,
    {
      maxSize: Number.MAX_SAFE_INTEGER,
      maxDiskBytes: Number.MAX_SAFE_INTEGER,
      ttlMs: 0,
      minFreeBytes: 0,
      orphanGraceMs: 600_000,
    },
    silentLogger,
  );
  const started = performance.now();
  disk.deadline = started + budgetMs;
  return (await bounded(() => idle.cleanup())) ? performance.now() - started : NaN;
}

/** false when the fake disk's deadline cut the pass short. */
async function bounded(pass: () => Promise<unknown>): Promise<boolean> {
  try {
    await pass();
    return true;
  } catch (err) {
    if (!(err instanceof BenchDeadline)) throw err;
    return false;
  }
}

async function opsPerSecond(o: IndexOptions, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(500, o.ops); i++) await op(); // warm-up: JIT, connection, statement cache
  const began = performance.now();
  const deadline = began + o.opSeconds * 1000;
  let done = 0;
  while (done < o.ops && (done % 256 !== 0 || performance.now() < deadline)) {
    await op();
    done++;
  }
  return done / ((performance.now() - began) / 1000);
}

async function timeMedian(times: number, op: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const began = performance.now();
    await op();
    samples.push(performance.now() - began);
  }
  return median(samples);
}
