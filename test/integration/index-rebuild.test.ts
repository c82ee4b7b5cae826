import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MemoryCacheIndex } from '../../src/adapters/memory-cache-index.js';
import { nodeDisk } from '../../src/adapters/node-disk.js';
import { PooledFileStore } from '../../src/adapters/node-file-store.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { FileTorrentMetaStore } from '../../src/adapters/torrent-meta-store.js';
import { silentLogger } from '../../src/logger.js';
import { rebuildIndex } from '../../src/services/cache-rebuild.js';
import { json, request, waitFor } from '../fixtures/http.js';
import { captureLogs } from '../fixtures/log-capture.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, standardFiles, type Swarm } from '../fixtures/swarm.js';

// A lost index costs a scan, not the library: the files on disk plus their stored .torrent are put
// back into the index at start-up and on POST /api/cache/rebuild; a corrupt cache.db is moved aside.
const run = promisify(execFile);
const check = async (server: TestServer, hash: string) =>
  (await json(`${server.url}/api/cache/check`, { method: 'POST', body: { infoHashes: [hash] } })).body.data?.[0]
    ?.cached === true;

/** Caches the swarm's main file on a fresh server, stops it (data kept) and the swarm: later reads can only be cache hits. */
async function cacheAndStop(env: Record<string, string>): Promise<{ dataDir: string; swarm: Swarm; video: Buffer }> {
  const swarm = await startSwarm({ files: standardFiles(4) });
  const server = await startTestServer(env);
  expect(
    (await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } })).status,
  ).toBe(201);
  await waitFor(() => check(server, swarm.infoHash), 30_000, 'the file in the index');
  await server.stop({ keepData: true });
  await swarm.stop();
  return { dataDir: server.dataDir, swarm, video: swarm.files[0]!.data };
}

async function expectCacheHit(server: TestServer, hash: string, video: Buffer): Promise<void> {
  await waitFor(() => check(server, hash), 15_000, 'the rebuilt entry');
  const res = await request(`${server.url}/stream/proxy/${hash}`, { headers: { Range: 'bytes=1000-1999' } });
  expect(res.status).toBe(206);
  expect(res.headers['x-stream-source']).toBe('cache');
  expect(res.body.equals(video.subarray(1000, 2000))).toBe(true);
}

test('a deleted cache.db is rebuilt from disk at start-up: the file is a cache hit with no peer left', async () => {
  const { dataDir, swarm, video } = await cacheAndStop({});
  for (const suffix of ['', '-wal', '-shm']) await rm(path.join(dataDir, `cache.db${suffix}`), { force: true });
  const server = await startTestServer({}, { dataDir });
  try {
    await expectCacheHit(server, swarm.infoHash, video);
  } finally {
    await server.stop();
  }
});

test('a corrupt cache.db is moved aside with one log line, and the index rebuilt; never a crash loop', async () => {
  const { dataDir, swarm, video } = await cacheAndStop({});
  for (const suffix of ['-wal', '-shm']) await rm(path.join(dataDir, `cache.db${suffix}`), { force: true });
  await writeFile(path.join(dataDir, 'cache.db'), randomBytes(64 * 1024));
  const { logger, lines } = captureLogs();
  const server = await startTestServer({}, { dataDir, logger });
  try {
    expect((await readdir(dataDir)).some((name) => name.startsWith('cache.db.corrupt-'))).toBe(true);
    expect(lines.filter((l) => l.msg?.startsWith('the SQLite cache index is corrupt'))).toHaveLength(1);
    await expectCacheHit(server, swarm.infoHash, video);
  } finally {
    await server.stop();
  }
});

test('an emptied Redis: POST /api/cache/rebuild (admin) puts the files back', async () => {
  const prefix = `rebuild-${randomBytes(4).toString('hex')}:`;
  const env = { CACHE_BACKEND: 'redis', REDIS_KEY_PREFIX: prefix };
  const { dataDir, swarm, video } = await cacheAndStop(env);
  const server = await startTestServer(env, { dataDir });
  try {
    await waitFor(() => check(server, swarm.infoHash), 15_000, 'the entry (kept by Redis)');
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '--scan', '--pattern', `${prefix}*`]);
    const keys = stdout.split('\n').filter(Boolean);
    expect(keys.length).toBeGreaterThan(0);
    await run('redis-cli', ['-h', '127.0.0.1', 'DEL', ...keys]);
    expect(await check(server, swarm.infoHash)).toBe(false);
    const rebuilt = await json(`${server.url}/api/cache/rebuild`, { method: 'POST' });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.data).toMatchObject({ scanned: 1, indexed: 1, alreadyIndexed: 0 });
    await expectCacheHit(server, swarm.infoHash, video);
    const again = await json(`${server.url}/api/cache/rebuild`, { method: 'POST' });
    expect(again.body.data).toMatchObject({ indexed: 0, alreadyIndexed: 1 });
  } finally {
    await server.stop();
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '--scan', '--pattern', `${prefix}*`]);
    const left = stdout.split('\n').filter(Boolean);
    if (left.length > 0) await run('redis-cli', ['-h', '127.0.0.1', 'DEL', ...left]);
  }
});

describe('full-size files with holes are indexed only when their pieces match', () => {
  const PIECE = 16 * 1024;
  let dir: string;
  beforeEach(async () => {
    dir = await import('node:fs/promises').then((fs) => fs.mkdtemp(path.join(os.tmpdir(), 'tss-rebuild-')));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes `data` leaving its all-zero 64 KiB blocks as holes (a sparse file, like a partial download). */
  async function writeSparse(file: string, data: Buffer, corruptAt?: number): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(file, 'w');
    await handle.truncate(data.length);
    const block = 64 * 1024;
    for (let off = 0; off < data.length; off += block) {
      const chunk = Buffer.from(data.subarray(off, off + block));
      if (corruptAt !== undefined && corruptAt >= off && corruptAt < off + block)
        chunk[corruptAt - off] = chunk[corruptAt - off]! ^ 0xff;
      if (chunk.some((b) => b !== 0)) await handle.write(chunk, 0, chunk.length, off);
    }
    await handle.close();
  }

  async function fixture(corruptAt?: number) {
    // 1 MiB: random, except a 256 KiB run of zeros that stays a hole on disk.
    const data = randomBytes(1024 * 1024);
    data.fill(0, 256 * 1024, 512 * 1024);
    const swarm = await startSwarm({
      name: 'Sparse',
      files: [{ path: 'movie.mkv', data }],
      pieceLength: PIECE,
      seed: false,
    });
    await swarm.stop();
    const downloadDir = path.join(dir, 'downloads');
    await mkdir(path.join(downloadDir, '.torrents'), { recursive: true });
    await writeFile(path.join(downloadDir, '.torrents', `${swarm.infoHash}.torrent`), swarm.torrentFile);
    const file = path.join(downloadDir, swarm.infoHash, 'Sparse', 'movie.mkv');
    await writeSparse(file, data, corruptAt);
    const info = await stat(file);
    expect(info.blocks * 512).toBeLessThan(info.size); // really sparse, so the piece check is what decides
    const index = new MemoryCacheIndex({ maxEntries: 100 });
    const parts = {
      index,
      metaStore: new FileTorrentMetaStore(path.join(downloadDir, '.torrents')),
      disk: nodeDisk,
      files: new PooledFileStore(),
      downloadDir,
      clock: systemClock,
      logger: silentLogger,
    };
    return { index, parts, hash: swarm.infoHash };
  }

  test('matching pieces: indexed after the background check', async () => {
    const { index, parts, hash } = await fixture();
    const { result, verified } = await rebuildIndex(
      parts,
      () => false,
      () => undefined,
    );
    expect(result).toMatchObject({ scanned: 1, indexed: 0, verifying: 1 });
    expect(await verified).toBe(1);
    expect(await index.get(hash, 0)).toMatchObject({ path: `${hash}/Sparse/movie.mkv`, size: 1024 * 1024 });
  });

  test('one flipped byte: not indexed (it downloads again later)', async () => {
    const { index, parts, hash } = await fixture(700_000);
    const { result, verified } = await rebuildIndex(
      parts,
      () => false,
      () => undefined,
    );
    expect(result.verifying).toBe(1);
    expect(await verified).toBe(0);
    expect(await index.get(hash, 0)).toBeUndefined();
  });

  test('an active torrent is left to the engine', async () => {
    const { index, parts, hash } = await fixture();
    const { result } = await rebuildIndex(
      parts,
      (h) => h === hash,
      () => undefined,
    );
    expect(result.scanned).toBe(0);
    expect(await index.all()).toEqual([]);
  });
});
