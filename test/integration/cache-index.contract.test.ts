import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { MemoryCacheIndex } from '../../src/adapters/memory-cache-index.js';
import { RedisCacheIndex } from '../../src/adapters/redis-cache-index.js';
import { SqliteCacheIndex } from '../../src/adapters/sqlite-cache-index.js';
import type { CacheBackend, CacheEntry, CacheIndex } from '../../src/ports/cache-index.js';
import { seededRandom } from '../fixtures/random.js';

interface Subject {
  index: CacheIndex;
  /** Opens a second index on the same storage; only for persistent backends. */
  reopen?: () => Promise<CacheIndex>;
}

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function entry(over: Partial<CacheEntry> = {}): CacheEntry {
  return {
    infoHash: A,
    fileIndex: 0,
    path: `${A}/Movie (2020)/movie.mkv`,
    size: 1000,
    torrentName: 'Movie (2020)',
    fileName: 'movie.mkv',
    createdAt: 1_000,
    lastAccessed: 1_000,
    hits: 0,
    ...over,
  };
}

const byKey = (a: CacheEntry, b: CacheEntry) => a.infoHash.localeCompare(b.infoHash) || a.fileIndex - b.fileIndex;
const sorted = (xs: CacheEntry[]) => [...xs].sort(byKey);

async function expectTotalsMatchAll(index: CacheIndex): Promise<CacheEntry[]> {
  const all = await index.all();
  expect(await index.totals()).toEqual({ count: all.length, bytes: all.reduce((s, e) => s + e.size, 0) });
  return all;
}

/** Seed of the random-operations test: a failing sequence reproduces. */
const RANDOM_OPS_SEED = 42;

function describeContract(name: CacheBackend, factory: () => Promise<Subject>): void {
  describe(`CacheIndex contract: ${name}`, () => {
    let s: Subject;
    beforeEach(async () => {
      s = await factory();
    });
    afterEach(() => s?.index.close());

    test('reports its backend', () => {
      expect(s.index.backend).toBe(name);
      expect(s.index.persistent).toBe(s.reopen !== undefined);
    });

    test('an empty index answers with nothing', async () => {
      expect(await s.index.get(A, 0)).toBeUndefined();
      expect(await s.index.listByTorrent(A)).toEqual([]);
      expect(await s.index.remove(A, 0)).toBe(0);
      expect(await s.index.remove(A)).toBe(0);
      expect(await s.index.oldest(10)).toEqual([]);
      expect(await s.index.all()).toEqual([]);
      expect(await s.index.totals()).toEqual({ count: 0, bytes: 0 });
    });

    test('upsert then get round-trips every field and hands out copies', async () => {
      const e = entry({
        fileIndex: 7,
        size: 5_000_000_000_123,
        path: `${A}/Ünïcode: "quotes" & spaces/ファイル.mkv`,
        torrentName: 'It\'s: a "name"',
        fileName: 'ファイル.mkv',
        createdAt: 1_700_000_000_000,
        lastAccessed: 1_700_000_000_500,
        hits: 3,
      });
      await s.index.upsert(e);
      e.size = 1; // mutating the caller's object must not reach the index
      const got = await s.index.get(A, 7);
      expect(got).toEqual({ ...e, size: 5_000_000_000_123 });
      got!.hits = 99;
      expect((await s.index.get(A, 7))!.hits).toBe(3);
      expect(await s.index.get(A, 0)).toBeUndefined();
      expect(await s.index.totals()).toEqual({ count: 1, bytes: 5_000_000_000_123 });
    });

    test('upsert of an existing entry keeps createdAt and hits, replaces the rest, adjusts bytes', async () => {
      await s.index.upsert(entry({ size: 1000, createdAt: 10, hits: 0 }));
      await s.index.upsert(entry({ infoHash: B, size: 50 }));
      await s.index.touch(A, 0, 20);
      await s.index.touch(A, 0, 30);
      const replacement = entry({
        size: 400,
        path: 'new/path.mkv',
        torrentName: 'New',
        fileName: 'path.mkv',
        createdAt: 99,
        lastAccessed: 40,
        hits: 0,
      });
      await s.index.upsert(replacement);
      expect(await s.index.get(A, 0)).toEqual({ ...replacement, createdAt: 10, hits: 2 });
      expect(await s.index.totals()).toEqual({ count: 2, bytes: 450 });
      await s.index.upsert(entry({ size: 0 }));
      expect(await s.index.totals()).toEqual({ count: 2, bytes: 50 });
    });

    test('touch sets lastAccessed and counts a hit; a missing entry stays missing', async () => {
      await s.index.upsert(entry({ lastAccessed: 5, hits: 1 }));
      await s.index.touch(A, 0, 500);
      expect(await s.index.get(A, 0)).toMatchObject({ lastAccessed: 500, hits: 2, createdAt: 1_000 });
      await s.index.touch(A, 1, 600);
      await s.index.touch(B, 0, 600);
      expect(await s.index.get(A, 1)).toBeUndefined();
      expect(await s.index.listByTorrent(B)).toEqual([]);
      expect((await expectTotalsMatchAll(s.index)).length).toBe(1);
      expect((await s.index.oldest(10)).map((e) => e.fileIndex)).toEqual([0]);
    });

    test("listByTorrent returns only that torrent's files", async () => {
      for (const i of [2, 0, 11]) await s.index.upsert(entry({ fileIndex: i, size: i + 1 }));
      await s.index.upsert(entry({ infoHash: B, fileIndex: 1 }));
      const list = await s.index.listByTorrent(A);
      expect(list.map((e) => e.fileIndex).sort((a, b) => a - b)).toEqual([0, 2, 11]);
      expect(list.every((e) => e.infoHash === A)).toBe(true);
      expect((await s.index.listByTorrent(B)).map((e) => e.fileIndex)).toEqual([1]);
    });

    test('remove of one file or a whole torrent returns counts and updates totals', async () => {
      for (const i of [0, 1, 2]) await s.index.upsert(entry({ fileIndex: i, size: 100 * (i + 1) }));
      await s.index.upsert(entry({ infoHash: B, size: 7 }));
      expect(await s.index.totals()).toEqual({ count: 4, bytes: 607 });
      expect(await s.index.remove(A, 1)).toBe(1);
      expect(await s.index.remove(A, 1)).toBe(0);
      expect(await s.index.get(A, 1)).toBeUndefined();
      expect(await s.index.totals()).toEqual({ count: 3, bytes: 407 });
      expect(await s.index.remove(A)).toBe(2);
      expect(await s.index.remove(A)).toBe(0);
      expect(await s.index.listByTorrent(A)).toEqual([]);
      expect(await s.index.totals()).toEqual({ count: 1, bytes: 7 });
      expect((await s.index.oldest(10)).map((e) => e.infoHash)).toEqual([B]);
      await s.index.upsert(entry({ fileIndex: 1, size: 3 })); // a removed torrent can come back
      expect(await s.index.totals()).toEqual({ count: 2, bytes: 10 });
    });

    test('removeMany removes a batch (ignoring missing keys) and keeps totals and listByTorrent exact', async () => {
      for (const i of [0, 1, 2]) await s.index.upsert(entry({ fileIndex: i, size: 10 * (i + 1) }));
      await s.index.upsert(entry({ infoHash: B, fileIndex: 4, size: 5 }));
      const removed = await s.index.removeMany([
        { infoHash: A, fileIndex: 0 },
        { infoHash: A, fileIndex: 2 },
        { infoHash: B, fileIndex: 4 },
        { infoHash: B, fileIndex: 9 },
      ]);
      expect(removed).toBe(3);
      expect(await s.index.totals()).toEqual({ count: 1, bytes: 20 });
      expect((await s.index.listByTorrent(A)).map((e) => e.fileIndex)).toEqual([1]);
      expect(await s.index.listByTorrent(B)).toEqual([]);
      expect((await s.index.oldest(10)).map((e) => `${e.infoHash}:${e.fileIndex}`)).toEqual([`${A}:1`]);
      expect(await s.index.removeMany([])).toBe(0);
    });

    test('oldest is ordered by lastAccessed, and touch reorders', async () => {
      const times = [50, 10, 40, 20, 30];
      for (const [i, t] of times.entries()) await s.index.upsert(entry({ fileIndex: i, lastAccessed: t }));
      const order = async (n: number) => (await s.index.oldest(n)).map((e) => e.lastAccessed);
      expect(await order(3)).toEqual([10, 20, 30]);
      expect(await order(100)).toEqual([10, 20, 30, 40, 50]);
      expect(await s.index.oldest(0)).toEqual([]);
      await s.index.touch(A, 1, 60); // the oldest becomes the newest
      expect((await s.index.oldest(5)).map((e) => e.fileIndex)).toEqual([3, 4, 2, 0, 1]);
      await s.index.upsert(entry({ fileIndex: 3, lastAccessed: 70 })); // re-registering counts as recent too
      expect((await s.index.oldest(2)).map((e) => e.fileIndex)).toEqual([4, 2]);
    });

    test(`after many random operations (seed ${RANDOM_OPS_SEED}) the index equals a reference model and totals match all()`, async () => {
      const next = seededRandom(RANDOM_OPS_SEED);
      const pick = (n: number) => Math.floor(next() * n);
      const model = new Map<string, CacheEntry>();
      const hashes = [A, B, 'c'.repeat(40)];
      for (let step = 0; step < 400; step++) {
        const infoHash = hashes[pick(3)]!;
        const fileIndex = pick(5);
        const key = `${infoHash}:${fileIndex}`;
        const op = pick(10);
        if (op < 5) {
          const e = entry({ infoHash, fileIndex, size: pick(1e9), lastAccessed: step, createdAt: step, hits: pick(3) });
          const old = model.get(key);
          model.set(key, old ? { ...e, createdAt: old.createdAt, hits: old.hits } : e);
          await s.index.upsert(e);
        } else if (op < 7) {
          const old = model.get(key);
          if (old) model.set(key, { ...old, lastAccessed: step, hits: old.hits + 1 });
          await s.index.touch(infoHash, fileIndex, step);
        } else if (op < 9) {
          expect(await s.index.remove(infoHash, fileIndex)).toBe(model.delete(key) ? 1 : 0);
        } else {
          const keys = [...model.keys()].filter((k) => k.startsWith(infoHash));
          keys.forEach((k) => model.delete(k));
          expect(await s.index.remove(infoHash)).toBe(keys.length);
        }
      }
      const all = await expectTotalsMatchAll(s.index);
      expect(sorted(all)).toEqual(sorted([...model.values()]));
      const expectedOrder = [...model.values()]
        .sort((a, b) => a.lastAccessed - b.lastAccessed)
        .map((e) => e.lastAccessed);
      expect((await s.index.oldest(1000)).map((e) => e.lastAccessed)).toEqual(expectedOrder);
    });

    test('the holding node round-trips, moves on re-upsert, and scopes oldest() and totals()', async () => {
      const onA = entry({ fileIndex: 0, size: 10, lastAccessed: 30, node: 'node-a', nodeUrl: 'http://127.0.0.1:1' });
      await s.index.upsert(onA);
      await s.index.upsert(entry({ fileIndex: 1, size: 20, lastAccessed: 10, node: 'node-b', nodeUrl: 'http://b' }));
      await s.index.upsert(entry({ fileIndex: 2, size: 40, lastAccessed: 20, node: 'node-a', nodeUrl: 'http://a' }));
      await s.index.upsert(entry({ infoHash: B, size: 80, lastAccessed: 5 })); // an old entry with no node
      expect(await s.index.get(A, 0)).toEqual(onA);
      expect((await s.index.get(B, 0))!.node).toBeUndefined();
      expect(await s.index.totals('node-a')).toEqual({ count: 2, bytes: 50 });
      expect(await s.index.totals('node-b')).toEqual({ count: 1, bytes: 20 });
      expect(await s.index.totals('nobody')).toEqual({ count: 0, bytes: 0 });
      expect(await s.index.totals()).toEqual({ count: 4, bytes: 150 });
      expect((await s.index.oldest(10, 'node-a')).map((e) => e.fileIndex)).toEqual([2, 0]);
      expect((await s.index.oldest(10)).map((e) => e.size)).toEqual([80, 20, 40, 10]);
      await s.index.touch(A, 2, 50);
      expect((await s.index.oldest(10, 'node-a')).map((e) => e.fileIndex)).toEqual([0, 2]);
      // The file moved to node b (b downloaded it again after a's entry was lost, say).
      await s.index.upsert(entry({ fileIndex: 0, size: 12, lastAccessed: 60, node: 'node-b', nodeUrl: 'http://b' }));
      expect(await s.index.totals('node-a')).toEqual({ count: 1, bytes: 40 });
      expect(await s.index.totals('node-b')).toEqual({ count: 2, bytes: 32 });
      // A node claims an entry that had none.
      await s.index.upsert(entry({ infoHash: B, size: 80, lastAccessed: 5, node: 'node-a', nodeUrl: 'http://a' }));
      expect(await s.index.totals('node-a')).toEqual({ count: 2, bytes: 120 });
      expect(await s.index.removeMany([{ infoHash: A, fileIndex: 2 }])).toBe(1);
      expect(await s.index.remove(A, 1)).toBe(1);
      expect(await s.index.totals('node-a')).toEqual({ count: 1, bytes: 80 });
      expect(await s.index.remove(A)).toBe(1);
      expect(await s.index.totals('node-b')).toEqual({ count: 0, bytes: 0 });
      expect(await s.index.oldest(10, 'node-b')).toEqual([]);
      expect((await s.index.oldest(10, 'node-a')).map((e) => e.infoHash)).toEqual([B]);
    });

    if (name !== 'memory') {
      test('entries survive closing and reopening', async () => {
        for (const i of [0, 1]) await s.index.upsert(entry({ fileIndex: i, size: 10 + i, lastAccessed: 100 - i }));
        await s.index.touch(A, 0, 200);
        const before = sorted(await s.index.all());
        await s.index.close();
        const again = await s.reopen!();
        try {
          expect(sorted(await again.all())).toEqual(before);
          expect(await again.totals()).toEqual({ count: 2, bytes: 21 });
          expect((await again.oldest(2)).map((e) => e.fileIndex)).toEqual([1, 0]);
          expect(await again.get(A, 0)).toMatchObject({ hits: 1, lastAccessed: 200 });
        } finally {
          await again.close();
        }
      });
    }
  });
}

describeContract('memory', async () => ({ index: new MemoryCacheIndex({ maxEntries: 100_000 }) }));

describe('MemoryCacheIndex safety bound', () => {
  test('dropping past maxEntries keeps totals and listByTorrent exact', async () => {
    const index = new MemoryCacheIndex({ maxEntries: 3 });
    for (const i of [0, 1, 2, 3, 4]) await index.upsert(entry({ fileIndex: i, size: 10 * (i + 1) }));
    const all = await expectTotalsMatchAll(index);
    expect(all).toHaveLength(3);
    expect((await index.listByTorrent(A)).map((e) => e.fileIndex)).toEqual([2, 3, 4]);
  });
});

const sqliteDir = mkdtempSync(path.join(tmpdir(), 'cache-index-'));
let sqliteFiles = 0;
afterAll(() => rmSync(sqliteDir, { recursive: true, force: true }));
describeContract('sqlite', async () => {
  const file = path.join(sqliteDir, `nested/dir/index-${sqliteFiles++}.db`);
  return { index: new SqliteCacheIndex({ path: file }), reopen: async () => new SqliteCacheIndex({ path: file }) };
});

test('sqlite: a v1 database (no node columns) is migrated and its rows read back without a node', async () => {
  const file = path.join(sqliteDir, 'v1.db');
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(file);
  db.exec(`CREATE TABLE cache_entries (
     info_hash TEXT NOT NULL, file_index INTEGER NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,
     torrent_name TEXT NOT NULL, file_name TEXT NOT NULL, created_at INTEGER NOT NULL,
     last_accessed INTEGER NOT NULL, hits INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (info_hash, file_index)
   ) WITHOUT ROWID;
   CREATE INDEX cache_entries_last_accessed ON cache_entries (last_accessed);
   INSERT INTO cache_entries VALUES ('${A}', 0, '${A}/movie.mkv', 1000, 'Movie (2020)', 'movie.mkv', 1000, 1000, 0);
   PRAGMA user_version = 1;`);
  db.close();
  const index = new SqliteCacheIndex({ path: file });
  try {
    expect(await index.get(A, 0)).toEqual(entry({ path: `${A}/movie.mkv` }));
    expect(await index.totals('node-a')).toEqual({ count: 0, bytes: 0 });
    await index.upsert(entry({ node: 'node-a', nodeUrl: 'http://a' }));
    expect(await index.totals('node-a')).toEqual({ count: 1, bytes: 1000 });
  } finally {
    await index.close();
  }
});

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `test:cache-index:${randomBytes(6).toString('hex')}:`;
let redisSubjects = 0;

describe('redis', () => {
  let admin: Redis | undefined;
  beforeAll(async () => {
    // Unreachable Redis fails the suite everywhere (CI or not): a skipped backend would hide defects.
    try {
      await (await RedisCacheIndex.connect({ url: REDIS_URL, keyPrefix: runPrefix })).close();
    } catch (err) {
      const where = process.env.CI === 'true' ? 'CI=true' : 'local run';
      throw new Error(
        `[${where}] Redis tests need a reachable Redis (REDIS_URL=${REDIS_URL}): ${(err as Error).message}`,
      );
    }
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    if (!admin) return;
    let cursor = '0';
    do {
      const [nextCursor, keys] = await admin.scan(cursor, 'MATCH', `${runPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await admin.del(...keys);
      cursor = nextCursor;
    } while (cursor !== '0');
    await admin.quit();
  });

  const open = (keyPrefix: string) => RedisCacheIndex.connect({ url: REDIS_URL, keyPrefix });
  describeContract('redis', async () => {
    const prefix = `${runPrefix}${redisSubjects++}:`;
    return { index: await open(prefix), reopen: () => open(prefix) };
  });

  test('an entry written before nodes were recorded reads back without a node and can be claimed', async () => {
    const prefix = `${runPrefix}legacy:`;
    // What the previous version's UPSERT script wrote.
    await admin!
      .multi()
      .hset(`${prefix}entry:${A}:0`, {
        infoHash: A,
        fileIndex: '0',
        path: `${A}/movie.mkv`,
        size: '1000',
        torrentName: 'Movie (2020)',
        fileName: 'movie.mkv',
        createdAt: '1000',
        lastAccessed: '1000',
        hits: '0',
      })
      .zadd(`${prefix}lru`, 1000, `${A}:0`)
      .sadd(`${prefix}torrent:${A}`, '0')
      .hset(`${prefix}totals`, { count: '1', bytes: '1000' })
      .exec();
    const index = await open(prefix);
    try {
      expect(await index.get(A, 0)).toEqual(entry({ path: `${A}/movie.mkv` }));
      expect(await index.totals('node-a')).toEqual({ count: 0, bytes: 0 });
      await index.upsert(entry({ path: `${A}/movie.mkv`, node: 'node-a', nodeUrl: 'http://a' }));
      expect(await index.totals('node-a')).toEqual({ count: 1, bytes: 1000 });
      expect(await index.totals()).toEqual({ count: 1, bytes: 1000 });
      expect(await index.remove(A, 0)).toBe(1);
      expect(await index.totals('node-a')).toEqual({ count: 0, bytes: 0 });
    } finally {
      await index.close();
    }
  });

  test('two instances on one prefix racing upserts/removes keep totals consistent with all()', async () => {
    const prefix = `${runPrefix}race:`;
    const [one, two] = await Promise.all([open(prefix), open(prefix)]);
    try {
      const work = (index: CacheIndex, seed: number) => {
        const next = seededRandom(seed); // seeds 1 and 2 below
        return Array.from({ length: 300 }, (_, i) => {
          const e = entry({ fileIndex: Math.floor(next() * 8), size: 1 + Math.floor(next() * 1e6), lastAccessed: i });
          const op = next();
          if (op < 0.6) return index.upsert(e);
          if (op < 0.75) return index.touch(A, e.fileIndex, i);
          return op < 0.95 ? index.remove(A, e.fileIndex) : index.remove(A);
        });
      };
      await Promise.all([...work(one!, 1), ...work(two!, 2)]);
      const all = await expectTotalsMatchAll(one!);
      expect(sorted(await two!.listByTorrent(A))).toEqual(sorted(all));
      expect(await two!.oldest(100)).toHaveLength(all.length);
      // Both register the same files at once: still one entry each, never double-counted.
      await Promise.all(
        [one!, two!].flatMap((x) => [0, 1, 2, 3].map((i) => x.upsert(entry({ fileIndex: i, size: 5 })))),
      );
      expect(await two!.listByTorrent(A)).toHaveLength(new Set([...all.map((e) => e.fileIndex), 0, 1, 2, 3]).size);
      await expectTotalsMatchAll(two!);
    } finally {
      await Promise.all([one?.close(), two?.close()]);
    }
  });

  test('connect names the URL, never the password, when Redis is unreachable', async () => {
    const started = Date.now();
    const err = await RedisCacheIndex.connect({ url: 'redis://:s3cret@127.0.0.1:1', keyPrefix: runPrefix }).then(
      () => {
        throw new Error('connected to port 1?');
      },
      (e: Error) => e,
    );
    expect(err.message).toMatch(/Cannot reach Redis at redis:\/\/.*127\.0\.0\.1:1/);
    expect(err.message).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
