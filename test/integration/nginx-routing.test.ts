import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request, waitFor } from '../fixtures/http.js';
import { freePort, startOwnRedis, type OwnRedis } from '../fixtures/redis-server.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';

// The shipped deploy/nginx site, run by Debian's nginx in front of two real instances on one Redis:
// every route shape that names an info hash reaches the same instance for the same hash, and the
// hashes spread over both instances.
const NGINX = '/usr/sbin/nginx';
const SITE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../deploy/nginx/torrent-stream-server.conf',
);

let redis: OwnRedis;
let nodes: TestServer[] = [];
let nginx: ChildProcess | undefined;
let nginxExited: Promise<void> | undefined;
let prefix: string;
let base: string;
let nginxLog = '';

beforeAll(async () => {
  redis = await startOwnRedis();
  const env = (id: string) => ({
    CACHE_BACKEND: 'redis',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: 'nginx:',
    NODE_ID: id,
  });
  nodes = [await startTestServer(env('node-a')), await startTestServer(env('node-b'))];

  prefix = await mkdtemp(path.join(os.tmpdir(), 'tss-nginx-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The site as shipped, but listening on a free loopback port; the upstream include names our two instances.
  const site = (await readFile(SITE, 'utf8')).replace(/listen 80;/, `listen 127.0.0.1:${port};`);
  expect(site).toContain(`listen 127.0.0.1:${port};`);
  await writeFile(path.join(prefix, 'site.conf'), site);
  await writeFile(
    path.join(prefix, 'torrent-stream-upstreams.conf'),
    nodes.map((n) => `server ${new URL(n.url).host};\n`).join(''),
  );
  await writeFile(
    path.join(prefix, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${path.join(prefix, 'nginx.pid')};`,
      'error_log stderr warn;',
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${path.join(prefix, 'body')};`,
      `  proxy_temp_path ${path.join(prefix, 'proxy')};`,
      `  include ${path.join(prefix, 'site.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  nginx = spawn(NGINX, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  nginx.stderr!.on('data', (chunk: Buffer) => (nginxLog += chunk.toString()));
  nginxExited = new Promise((resolve) => nginx!.once('exit', () => resolve()));
  await waitFor(
    async () => {
      if (nginx!.exitCode !== null) throw new Error(`nginx exited: ${nginxLog}`);
      return (await request(`${base}/health`).catch(() => undefined))?.status === 200;
    },
    10_000,
    'nginx listening',
  );
}, 60_000);

afterAll(async () => {
  if (nginx && nginx.exitCode === null) nginx.kill('SIGTERM');
  await nginxExited;
  for (const n of nodes) await n.stop();
  await redis?.stop();
  if (prefix) await rm(prefix, { recursive: true, force: true });
});

/** Route shapes that carry a hash and answer at once for an unknown torrent (no download starts). */
const shapes = (h: string) => [
  `/api/torrents/${h}`,
  `/api/torrents/${h}/files`,
  `/stream/info/${h}`,
  `/poster/${h}.svg`,
  `/t/some-token/api/torrents/${h}`,
  `/meta/movie/btih:${h}.json`,
];

test('the same info hash always reaches the same instance, and the hashes spread over both', async () => {
  const hashes = Array.from({ length: 16 }, () => randomBytes(20).toString('hex'));
  const landed = new Map<string, string>();
  for (const h of hashes) {
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      for (const shape of shapes(h)) {
        const res = await request(`${base}${shape}`);
        expect(res.status).toBeLessThan(500); // 404s for unknown torrents are answers too, and carry X-Node
        seen.add(String(res.headers['x-node']));
      }
    }
    expect([...seen]).toHaveLength(1);
    landed.set(h, [...seen][0]!);
  }
  const counts = [...landed.values()].reduce<Record<string, number>>((c, n) => ({ ...c, [n]: (c[n] ?? 0) + 1 }), {});
  expect(Object.keys(counts).sort()).toEqual(['node-a', 'node-b']);
});

test('requests without a hash spread over both instances, and every answer names its instance (a 404 too)', async () => {
  // No hash in the path: spread by request id, yet every answer names its instance.
  const nodesSeen = new Set<string>();
  for (let i = 0; i < 20; i++) nodesSeen.add(String((await request(`${base}/health`)).headers['x-node']));
  expect([...nodesSeen].every((n) => n === 'node-a' || n === 'node-b')).toBe(true);
  expect(nodesSeen.size).toBe(2);
  const missing = await request(`${base}/no-such-route`);
  expect(missing.status).toBe(404);
  expect(['node-a', 'node-b']).toContain(missing.headers['x-node']);
});
