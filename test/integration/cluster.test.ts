import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startChildServer, type ChildServer } from '../fixtures/child-process-server.js';
import { json, request, waitFor } from '../fixtures/http.js';
import { freePort, startOwnRedis, type OwnRedis } from '../fixtures/redis-server.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// Two instances on one Redis, each with its own download folder (README "Several instances"). A runs as a
// child process so that it can really crash (SIGKILL); B runs in this process so its cleaner can be driven.
const MIB = 1024 * 1024;
const PREFIX = 'cluster-test:';
const LEASE_TTL_MS = 1500;

let redis: OwnRedis;
let admin: Redis;
let swarmA: Swarm;
let swarmB: Swarm;
let dataA: string;
let a: ChildServer | undefined;
let b: TestServer | undefined;

const common = () => ({
  CACHE_BACKEND: 'redis',
  REDIS_URL: redis.url,
  REDIS_KEY_PREFIX: PREFIX,
  LEASE_TTL_MS: String(LEASE_TTL_MS),
  TORRENT_TRACKERS: `${swarmA.trackerUrl},${swarmB.trackerUrl}`,
  CACHE_CLEANUP_INTERVAL: '86400', // the test runs B's cleaner itself
});
const startB = (dataDir?: string, env: Record<string, string> = {}) =>
  startTestServer({ ...common(), NODE_ID: 'node-b', ...env }, dataDir ? { dataDir } : {});
const check = async (base: string, infoHash: string) =>
  (await json(`${base}/api/cache/check`, { method: 'POST', body: { infoHashes: [infoHash] } })).body.data[0];
const addAndCache = async (base: string, swarm: Swarm) => {
  expect((await json(`${base}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } })).status).toBe(
    201,
  );
  await waitFor(async () => (await check(base, swarm.infoHash)).cached, 30_000, `${swarm.name} cached`);
};
const leasesOf = (node: string) => admin.keys(`${PREFIX}lease:*:${node}:*`);

beforeAll(async () => {
  redis = await startOwnRedis();
  admin = new Redis(redis.url);
  swarmA = await startSwarm({ name: 'Held By A', files: [{ path: 'a.mp4', data: randomBytes(24 * MIB) }] });
  swarmB = await startSwarm({ name: 'Held By B', files: [{ path: 'b.mp4', data: randomBytes(2 * MIB) }] });
  dataA = await mkdtemp(path.join(os.tmpdir(), 'tss-node-a-'));
  a = await startChildServer({
    ...common(),
    NODE_ID: 'node-a',
    PORT: '0',
    HOST: '127.0.0.1',
    TORRENT_PORT: '0',
    TORRENT_DHT: 'false',
    DOWNLOAD_DIR: path.join(dataA, 'downloads'),
    CACHE_DB_PATH: path.join(dataA, 'cache.db'),
  });
  b = await startB();
}, 90_000);

afterAll(async () => {
  await a?.kill();
  await b?.stop();
  await swarmA?.stop();
  await swarmB?.stop();
  await admin?.quit();
  await redis?.stop();
  if (dataA) await rm(dataA, { recursive: true, force: true });
});

test('a file cached by A is reported cached by B and streams byte-exact through B, Range included', async () => {
  await addAndCache(a!.url, swarmA);
  const video = swarmA.files[0]!.data;

  const seen = await check(b!.url, swarmA.infoHash);
  expect(seen).toMatchObject({ cached: true, files: [{ index: 0, name: 'a.mp4', length: video.length }] });
  expect(seen.active).toBeNull(); // B runs no torrent for it

  const whole = await request(`${b!.url}/stream/proxy/${swarmA.infoHash}`);
  expect(whole.status).toBe(200);
  expect(whole.headers['x-node']).toBe('node-b');
  expect(whole.headers['x-stream-source']).toBe('peer');
  expect(whole.body.equals(video)).toBe(true);

  const start = 5 * MIB + 123;
  const ranged = await request(`${b!.url}/stream/proxy/${swarmA.infoHash}?fileIndex=0`, {
    headers: { Range: `bytes=${start}-${start + 99_999}`, 'If-Range': String(whole.headers.etag) },
  });
  expect(ranged.status).toBe(206);
  expect(ranged.headers['content-range']).toBe(`bytes ${start}-${start + 99_999}/${video.length}`);
  expect(ranged.body.equals(video.subarray(start, start + 100_000))).toBe(true);
  const tail = await request(`${b!.url}/stream/proxy/${swarmA.infoHash}`, { headers: { Range: 'bytes=-1000' } });
  expect(tail.status).toBe(206);
  expect(tail.body.equals(video.subarray(video.length - 1000))).toBe(true);

  // A itself serves it from its own disk, and says who it is.
  const direct = await request(`${a!.url}/stream/proxy/${swarmA.infoHash}`, { method: 'HEAD' });
  expect(direct.headers['x-node']).toBe('node-a');
  expect(direct.headers['x-stream-source']).toBe('cache');
  // Nothing of A's torrent was written on B's disk.
  expect(existsSync(path.join(b!.downloadDir, swarmA.infoHash))).toBe(false);
});

test("restarting B and running B's cleaner leave A's entries and files alone", async () => {
  await addAndCache(b!.url, swarmB); // B's own file: the cleaner's control
  const aFile = path.join(dataA, 'downloads', swarmA.infoHash, 'Held By A', 'a.mp4');
  const aEntryKey = `${PREFIX}entry:${swarmA.infoHash}:0`;
  expect(await admin.hget(aEntryKey, 'node')).toBe('node-a');

  await b!.stop({ keepData: true });
  // Tight limits: B must evict everything it holds to fit in 1 MB; every orphan counts at once.
  b = await startB(b!.dataDir, { CACHE_MAX_DISK_MB: '1', CACHE_ORPHAN_GRACE: '0', CACHE_TTL: '1' });
  await b.cache.dropMissingFiles();
  await b.cache.rebuild((hash) => b!.torrents.has(hash));
  const result = await b.cleaner.cleanup({ sweepOrphans: true });

  expect(result.evicted + result.expired).toBe(1); // B's own file went
  expect((await check(b.url, swarmB.infoHash)).cached).toBe(false);
  expect(await admin.hget(aEntryKey, 'node')).toBe('node-a');
  expect((await check(b.url, swarmA.infoHash)).cached).toBe(true);
  expect(statSync(aFile).size).toBe(swarmA.files[0]!.data.length);
  expect(await admin.hgetall(`${PREFIX}node-totals:node-a`)).toEqual({
    count: '1',
    bytes: String(swarmA.files[0]!.data.length),
  });
  // And B still streams A's file after its restart.
  const again = await request(`${b.url}/stream/proxy/${swarmA.infoHash}`, { headers: { Range: 'bytes=0-9' } });
  expect(again.body.equals(swarmA.files[0]!.data.subarray(0, 10))).toBe(true);
});

test('a holder that is alive but cannot serve answers 502 UPSTREAM_ERROR, never wrong bytes', async () => {
  const { RedisCacheIndex } = await import('../../src/adapters/redis-cache-index.js');
  const index = await RedisCacheIndex.connect({ url: redis.url, keyPrefix: PREFIX });
  const hash = 'e'.repeat(40);
  const deadUrl = `http://127.0.0.1:${await freePort()}`;
  try {
    await index.upsert({
      infoHash: hash,
      fileIndex: 0,
      path: `${hash}/x.mp4`,
      size: 1000,
      torrentName: 'x',
      fileName: 'x.mp4',
      createdAt: 1,
      lastAccessed: 1,
      hits: 0,
      node: 'node-z',
      nodeUrl: deadUrl,
    });
    await admin.set(`${PREFIX}node:node-z`, deadUrl, 'PX', 60_000); // its heartbeat says it is alive
    const res = await request(`${b!.url}/stream/proxy/${hash}`);
    expect(res.status).toBe(502);
    expect(res.headers['x-node']).toBe('node-b');
    expect(JSON.parse(res.body.toString())).toMatchObject({ success: false, error: { code: 'UPSTREAM_ERROR' } });
  } finally {
    await index.remove(hash);
    await admin.del(`${PREFIX}node:node-z`);
    await index.close();
  }
});

test("A's crash (SIGKILL) frees its leases after the TTL, and B then serves the file itself", async () => {
  // A slow player on A: reads one chunk, then holds the stream (and its lease) open.
  const req = http.get(`${a!.url}/stream/proxy/${swarmA.infoHash}`);
  req.on('error', () => undefined);
  const res = await new Promise<http.IncomingMessage>((resolve) => req.once('response', resolve));
  res.on('error', () => undefined);
  await new Promise((resolve) => res.once('data', resolve));
  res.pause();
  await waitFor(async () => (await leasesOf('node-a')).length > 0, 5000, "A's lease in Redis");
  // Held past several TTLs: the heartbeat keeps it.
  await new Promise((r) => setTimeout(r, 2 * LEASE_TTL_MS));
  expect(await leasesOf('node-a')).toHaveLength(1);

  await a!.kill();
  const killedAt = Date.now();
  req.destroy();
  await waitFor(async () => (await leasesOf('node-a')).length === 0, 4 * LEASE_TTL_MS, "A's leases expiring");
  expect(Date.now() - killedAt).toBeLessThan(4 * LEASE_TTL_MS);
  expect(await admin.exists(`${PREFIX}node:node-a`)).toBe(0);

  // The index still names A, but A is gone: B (back on its default limits) downloads the file itself.
  await b!.stop({ keepData: true });
  b = await startB(b!.dataDir);
  const served = await request(`${b!.url}/stream/proxy/${swarmA.infoHash}`, { headers: { Range: 'bytes=0-999' } });
  expect(served.status).toBe(206);
  expect(served.headers['x-stream-source']).not.toBe('peer');
  expect(served.body.equals(swarmA.files[0]!.data.subarray(0, 1000))).toBe(true);
});

describe('state every instance shares through Redis', () => {
  const ADMIN = 'cluster-admin-token';
  let x: TestServer;
  let y: TestServer;
  const call = (server: TestServer, pathname: string, token: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${server.url}${pathname}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  beforeAll(async () => {
    const env = (id: string) => ({
      CACHE_BACKEND: 'redis',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'shared-state:',
      NODE_ID: id,
      API_TOKEN: ADMIN,
      RATE_LIMIT_API: '6',
      RATE_LIMIT_AUTH_FAILURES: '3',
    });
    x = await startTestServer(env('node-x'));
    y = await startTestServer(env('node-y'));
  });
  afterAll(async () => {
    await x?.stop();
    await y?.stop();
  });

  test('a user made on one instance signs in on the other, and their API budget is one across both', async () => {
    const created = await call(x, '/api/users', ADMIN, { method: 'POST', body: { name: 'tv' } });
    expect(created.status).toBe(201);
    const { token } = ((await created.json()) as { data: { token: string } }).data;
    const statuses: number[] = [];
    for (const server of [y, x, y, x, y, x, y]) statuses.push((await call(server, '/api/torrents', token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
  });

  test('wrong tokens sent to either instance count together', async () => {
    const statuses: number[] = [];
    for (const server of [x, y, x, y]) statuses.push((await call(server, '/api/torrents', 'wrong-token')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  test('an IMDb link saved through one store is found through another', async () => {
    const { RedisImdbLinkStore } = await import('../../src/adapters/redis-imdb-link-store.js');
    const [one, two] = await Promise.all(
      [0, 1].map(() => RedisImdbLinkStore.connect({ url: redis.url, keyPrefix: 'imdb-test:' })),
    );
    try {
      const hash = 'c'.repeat(40);
      await one!.save([{ imdbId: 'tt0000001', infoHash: hash, createdAt: 1 }]);
      await one!.save([{ imdbId: 'tt0000001', season: 1, episode: 2, infoHash: hash, fileIndex: 3, createdAt: 2 }]);
      await one!.save([{ imdbId: 'tt0000001', infoHash: hash, fileIndex: 0, createdAt: 5 }]); // replaces the first
      expect(await two!.find('tt0000001')).toEqual([
        { imdbId: 'tt0000001', infoHash: hash, fileIndex: 0, createdAt: 5 },
        { imdbId: 'tt0000001', season: 1, episode: 2, infoHash: hash, fileIndex: 3, createdAt: 2 },
      ]);
      expect(await two!.find('tt0000002')).toEqual([]);
    } finally {
      await Promise.all([one!.close(), two!.close()]);
    }
  });
});
