import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// The seed's cache flow end to end: a finished file is recorded, a second request is a hit served
// from disk without the engine, and the index survives a restart (SQLite file and Redis alike).
const MIB = 1024 * 1024;
const swarms: Swarm[] = [];
const servers: TestServer[] = [];

const smallSwarm = async (name: string, mib = 2) => {
  const swarm = await startSwarm({ name, files: [{ path: `${name}.mp4`, data: randomBytes(mib * MIB) }] });
  swarms.push(swarm);
  return swarm;
};
const server = async (env: Record<string, string> = {}, options: { dataDir?: string } = {}) => {
  const s = await startTestServer(env, options);
  servers.push(s);
  return s;
};
const addAndComplete = async (base: string, swarm: Swarm) => {
  const res = await json(`${base}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
  expect(res.status).toBe(201);
  await waitFor(
    async () =>
      (await json(`${base}/api/cache-stats`)).body.data.size > 0 &&
      (await json(`${base}/api/cache/check`, { method: 'POST', body: { infoHashes: [swarm.infoHash] } })).body.data[0]
        .cached,
    20000,
    `${swarm.name} cached`,
  );
};

afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
  for (const s of swarms.splice(0)) await s.stop();
});

describe.each([
  ['sqlite', {}],
  ['redis', { CACHE_BACKEND: 'redis', REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }],
  ['memory + CACHE_PERSISTENT', { CACHE_BACKEND: 'memory', CACHE_PERSISTENT: 'true' }],
])('restart persistence with the %s index', (_name, backendEnv) => {
  test('after a restart the next request is a hit, with no torrent active and the seeder gone', async () => {
    const env: Record<string, string> = { ...backendEnv, REDIS_KEY_PREFIX: `tss-test-${randomUUID()}:` };
    const swarm = await smallSwarm('Persisted');
    const first = await server(env);
    await addAndComplete(first.url, swarm);
    await first.stop({ keepData: true });
    servers.splice(servers.indexOf(first), 1);
    await swarm.stop();
    swarms.splice(swarms.indexOf(swarm), 1);

    const second = await server(env, { dataDir: first.dataDir });
    const video = swarm.files[0]!.data;
    const hit = await request(`${second.url}/stream/proxy/${swarm.infoHash}`, { headers: { Range: 'bytes=100-199' } });
    expect(hit.status).toBe(206);
    expect(hit.headers['x-stream-source']).toBe('cache');
    expect(hit.body.equals(video.subarray(100, 200))).toBe(true);
    expect(second.torrents.has(swarm.infoHash)).toBe(false);

    const added = await json(`${second.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
    expect(added.status).toBe(200);
    expect(added.body.data).toMatchObject({
      infoHash: swarm.infoHash,
      cached: true,
      message: 'Torrent found in cache',
    });
    expect(added.body.data.files).toEqual([
      { name: 'Persisted.mp4', path: 'Persisted/Persisted.mp4', length: video.length },
    ]);
    const listed = await json(`${second.url}/api/torrents`);
    expect(listed.body.data.torrents).toEqual([
      expect.objectContaining({ infoHash: swarm.infoHash, cached: true, status: 'complete' }),
    ]);

    const stats = (await json(`${second.url}/api/cache-stats`)).body.data;
    expect(stats).toMatchObject({ size: 1, hits: 1, misses: 0, hitRate: '100.00' });
    await json(`${second.url}/api/cache/${swarm.infoHash}`, { method: 'DELETE' });
  });
});

test('entries whose files vanished while the server was down are dropped at start-up', async () => {
  const swarm = await smallSwarm('Vanishing');
  const first = await server();
  await addAndComplete(first.url, swarm);
  await first.stop({ keepData: true });
  servers.splice(servers.indexOf(first), 1);
  await unlink(path.join(first.downloadDir, swarm.infoHash, 'Vanishing', 'Vanishing.mp4'));

  const second = await server({}, { dataDir: first.dataDir });
  await waitFor(async () => (await json(`${second.url}/api/cache-stats`)).body.data.size === 0, 5000, 'dropped entry');
});

test('LRU: the least recently read file goes first when over CACHE_MAX_SIZE', async () => {
  const [a, b, c] = [await smallSwarm('Alpha', 1), await smallSwarm('Bravo', 1), await smallSwarm('Charlie', 1)];
  const s = await server({ CACHE_MAX_SIZE: '2' });
  await addAndComplete(s.url, a);
  await addAndComplete(s.url, b);
  await json(`${s.url}/api/torrents/${a.infoHash}`, { method: 'DELETE' });
  await json(`${s.url}/api/torrents/${b.infoHash}`, { method: 'DELETE' });
  expect(
    (await request(`${s.url}/stream/proxy/${a.infoHash}`, { headers: { Range: 'bytes=0-9' } })).headers[
      'x-stream-source'
    ],
  ).toBe('cache');
  await addAndComplete(s.url, c);
  await waitFor(
    async () => (await json(`${s.url}/api/torrents/${c.infoHash}`)).body.data.status === 'complete',
    10000,
    'complete',
  );

  const cleanup = await json(`${s.url}/api/cache-config`, { method: 'POST', body: { forceCleanup: true } });
  expect(cleanup.body).toMatchObject({ success: true, message: 'Cache cleaned successfully' });
  expect(cleanup.body.data).toMatchObject({ cleanedCount: 1, finalSize: 2 });
  expect(cleanup.body.data.freedSpaceMB).toBeCloseTo(1, 1);
  const check = (
    await json(`${s.url}/api/cache/check`, {
      method: 'POST',
      body: { infoHashes: [a.infoHash, b.infoHash, c.infoHash] },
    })
  ).body.data;
  expect(check.map((r: { cached: boolean }) => r.cached)).toEqual([true, false, true]);
  expect(existsSync(path.join(s.downloadDir, b.infoHash))).toBe(false);
  expect((await json(`${s.url}/api/cache-stats`)).body.data.evictions).toBe(1);
});

test('TTL expiry by the cron cleaner, while a file being streamed survives', async () => {
  const [kept, idle] = [await smallSwarm('Streaming', 4), await smallSwarm('Idle', 1)];
  const s = await server({ CACHE_TTL: '1', CACHE_CLEANUP_INTERVAL: '1' });
  await addAndComplete(s.url, kept);
  await addAndComplete(s.url, idle);
  await json(`${s.url}/api/torrents/${kept.infoHash}`, { method: 'DELETE' });
  await json(`${s.url}/api/torrents/${idle.infoHash}`, { method: 'DELETE' });

  // A slow player: reads one chunk of the cached file, then holds the connection open.
  const http = await import('node:http');
  const req = http.get(`${s.url}/stream/proxy/${kept.infoHash}`);
  const res = await new Promise<import('node:http').IncomingMessage>((resolve) => req.once('response', resolve));
  expect(res.headers['x-stream-source']).toBe('cache');
  const chunks: Buffer[] = [];
  await new Promise((resolve) =>
    res.once('data', (c: Buffer) => {
      chunks.push(c);
      resolve(undefined);
    }),
  );
  res.pause();

  // The cron job (every second) expires the idle file on its own; the streamed one stays.
  await waitFor(
    async () =>
      !(await json(`${s.url}/api/cache/check`, { method: 'POST', body: { infoHashes: [idle.infoHash] } })).body.data[0]
        .cached,
    8000,
    'TTL expiry',
  );
  const forced = await json(`${s.url}/api/cache-config`, { method: 'POST', body: { forceCleanup: true } });
  expect(forced.body.data.finalSize).toBe(1);

  res.on('data', (c: Buffer) => chunks.push(c));
  res.resume();
  await new Promise((resolve) => res.once('end', resolve));
  expect(Buffer.concat(chunks).equals(kept.files[0]!.data)).toBe(true);
  // Once the reader is gone the expired file goes too.
  await waitFor(
    async () => (await json(`${s.url}/api/cache-stats`)).body.data.size === 0,
    8000,
    'expiry after release',
  );
});

test('the disk limit holds under 5 concurrent adds: what cannot fit is refused with 507', async () => {
  const all = await Promise.all(['One', 'Two', 'Three', 'Four', 'Five'].map((n) => smallSwarm(n, 4)));
  const s = await server({ CACHE_MAX_DISK_MB: '10', CACHE_MIN_FREE_MB: '0' });
  const results = await Promise.all(
    all.map((sw) => json(`${s.url}/api/torrents`, { method: 'POST', body: { magnetUri: sw.magnetUri } })),
  );
  const statuses = results.map((r) => r.status);
  // Two fit at once; a third fits only if an earlier one already finished and could be evicted.
  expect(statuses.every((x) => x === 201 || x === 507)).toBe(true);
  expect(statuses.filter((x) => x === 201).length).toBeGreaterThanOrEqual(2);
  expect(statuses.filter((x) => x === 507).length).toBeGreaterThanOrEqual(1);
  const refused = results.find((r) => r.status === 507)!;
  expect(refused.body.error).toMatchObject({ code: 'INSUFFICIENT_STORAGE' });
  expect(refused.body.error.message).toMatch(/Not enough cache space/);

  let peak = 0;
  const { nodeDisk } = await import('../../src/adapters/node-disk.js');
  await waitFor(
    async () => {
      const used = (await nodeDisk.walkFiles(s.downloadDir))
        .filter((f) => !f.relativePath.startsWith('.'))
        .reduce((sum, f) => sum + f.bytes, 0);
      peak = Math.max(peak, used);
      const admitted = await Promise.all(
        results.map(
          async (r) =>
            r.status === 201 && (await json(`${s.url}/api/torrents/${r.body.data.infoHash}`)).body.data?.status,
        ),
      );
      return admitted.every((st) => st === false || st === 'complete' || st === undefined);
    },
    20000,
    'admitted downloads finished',
  );
  expect(peak).toBeLessThanOrEqual(10 * MIB);
  const stats = (await json(`${s.url}/api/cache-stats`)).body.data;
  expect(stats.diskUsage).toBeLessThanOrEqual(10);
});

test('orphans (files no entry and no torrent owns) are removed after the grace period', async () => {
  const s = await server({ CACHE_ORPHAN_GRACE: '0' });
  const stray = path.join(s.downloadDir, 'b'.repeat(40), 'Leftover');
  await mkdir(stray, { recursive: true });
  await writeFile(path.join(stray, 'partial.mkv'), randomBytes(64 * 1024));
  await new Promise((r) => setTimeout(r, 20));
  const res = await json(`${s.url}/api/cache-config`, { method: 'POST', body: { forceCleanup: true } });
  expect(res.body.data.cleanedCount).toBe(1);
  expect(existsSync(path.join(s.downloadDir, 'b'.repeat(40)))).toBe(false);
});

test('cache endpoints: config, check and validation', async () => {
  const s = await server({ CACHE_MAX_SIZE: '10', CACHE_MAX_DISK_MB: '100', CACHE_TTL: '60' });
  const config = (await json(`${s.url}/api/cache-config`)).body.data;
  expect(config).toMatchObject({
    backend: 'sqlite',
    maxSize: 10,
    currentSize: 0,
    maxDiskUsage: 100,
    currentDiskUsage: 0,
    diskUsagePercent: '0.00',
    cleanupInterval: 300,
    ttl: 60,
  });
  const stats = (await json(`${s.url}/api/cache-stats`)).body.data;
  expect(stats.scalingInfo).toEqual({
    backend: 'sqlite',
    isScalable: false,
    supportsPersistence: true,
    recommendedForProduction: true,
  });
  expect((await json(`${s.url}/api/cache-config`, { method: 'POST', body: {} })).status).toBe(400);
  expect((await json(`${s.url}/api/cache/check`, { method: 'POST', body: { infoHashes: ['nope'] } })).status).toBe(400);
  expect((await json(`${s.url}/api/cache/${'c'.repeat(40)}`, { method: 'DELETE' })).status).toBe(404);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tss-x-'));
  await rm(tmp, { recursive: true });
});
