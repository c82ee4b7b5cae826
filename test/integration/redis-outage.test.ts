import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { json, request, waitFor } from '../fixtures/http.js';
import { captureLogs, type LogLine } from '../fixtures/log-capture.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, standardFiles, type Swarm } from '../fixtures/swarm.js';

// A real Redis, owned and killed by this test: while it is gone, files this process knows keep
// streaming from disk, new torrents still add and stream, what truly needs the index answers 503
// INDEX_UNAVAILABLE with Retry-After, the outage is one log line, and the index catches up after.
let redis: ChildProcess | undefined;
let port: number;
let server: TestServer;
let known: Swarm;
let fresh: Swarm;
let lines: LogLine[] = [];

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port: p } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return p;
}

async function startRedis(): Promise<void> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  redis = child;
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
  });
}

async function stopRedis(): Promise<void> {
  const child = redis;
  redis = undefined;
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const range = (hash: string, from: number, to: number) =>
  request(`${server.url}/stream/proxy/${hash}`, { headers: { Range: `bytes=${from}-${to}` } });
const cached = async (hash: string) =>
  (await json(`${server.url}/api/cache/check`, { method: 'POST', body: { infoHashes: [hash] } })).body.data?.[0]
    ?.cached === true;

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  known = await startSwarm({ name: 'Known' });
  fresh = await startSwarm({ name: 'Fresh', files: standardFiles(8) });
  const captured = captureLogs();
  const logger = captured.logger;
  lines = captured.lines;
  server = await startTestServer(
    {
      CACHE_BACKEND: 'redis',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_KEY_PREFIX: `outage-${randomBytes(4).toString('hex')}:`,
    },
    { logger },
  );
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await stopRedis();
  await known?.stop();
  await fresh?.stop();
});

test('Redis goes away and comes back: streaming, adds and the index survive it', async () => {
  const video = known.files[0]!.data;
  expect(
    (await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: known.magnetUri } })).status,
  ).toBe(201);
  await waitFor(() => cached(known.infoHash), 30_000, 'the known file in the index');
  await json(`${server.url}/api/torrents/${known.infoHash}`, { method: 'DELETE' }); // leaves it cached: now a disk hit
  const before = await range(known.infoHash, 0, 99);
  expect(before.headers['x-stream-source']).toBe('cache');

  await stopRedis();
  await waitFor(async () => (await request(`${server.url}/health`)).status === 503, 10_000, '/health to notice');

  // A file whose location the process knows streams from disk, byte-exact, many times.
  for (let i = 0; i < 20; i++) {
    const res = await range(known.infoHash, i * 1000, i * 1000 + 999);
    expect(res.status).toBe(206);
    expect(res.body.equals(video.subarray(i * 1000, i * 1000 + 1000))).toBe(true);
  }
  // What truly needs the index says so, with when to come back, never a 500.
  const stats = await request(`${server.url}/api/cache-stats`);
  expect(stats.status).toBe(503);
  expect(JSON.parse(stats.body.toString()).error.code).toBe('INDEX_UNAVAILABLE');
  expect(stats.headers['retry-after']).toBe('5');

  // A new torrent adds and streams while the index is down.
  const added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: fresh.magnetUri } });
  expect(added.status).toBe(201);
  const freshVideo = fresh.files[0]!.data;
  const freshRange = await range(fresh.infoHash, 5000, 5999);
  expect(freshRange.status).toBe(206);
  expect(freshRange.body.equals(freshVideo.subarray(5000, 6000))).toBe(true);
  await waitFor(
    async () => (await json(`${server.url}/api/torrents/${fresh.infoHash}`)).body.data?.status === 'complete',
    30_000,
    'fresh complete',
  );

  // One line for the outage, however many requests met it.
  const outageLines = lines.filter((l) => l.msg?.startsWith('cache index unreachable'));
  expect(outageLines).toHaveLength(1);
  expect(lines.filter((l) => (l.level ?? 0) >= 50 && l.msg !== outageLines[0]!.msg)).toEqual([]);

  // Redis returns (empty: no persistence). Health recovers, and the file finished meanwhile is recorded.
  await startRedis();
  await waitFor(async () => (await request(`${server.url}/health`)).status === 200, 15_000, '/health to recover');
  await waitFor(() => cached(fresh.infoHash), 15_000, 'the index to catch up with the file finished during the outage');
  expect(lines.some((l) => l.msg === 'cache index reachable again')).toBe(true);
}, 120_000);
