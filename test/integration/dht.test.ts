import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error bittorrent-dht ships no types
import DHT from 'bittorrent-dht';
import WebTorrent from 'webtorrent';
import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { LOOPBACK_CLIENT, startSwarm, standardFiles } from '../fixtures/swarm.js';

// TORRENT_DHT_BOOTSTRAP points the DHT at routers of our choosing: here a DHT node made by the test on
// loopback, a seeder that announces only there, and a magnet that names no tracker at all.
interface DhtNode {
  listen(port: number, cb: () => void): void;
  address(): { port: number };
  destroy(cb?: () => void): void;
}

let router: DhtNode;
let seeder: WebTorrent;
let server: TestServer;
let dir: string;

afterAll(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => (seeder ? seeder.destroy(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (router ? router.destroy(() => resolve()) : resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a magnet with no tracker resolves through a DHT on loopback and streams byte-exact', async () => {
  // UDP on 127.0.0.1 fails on these machines: the nodes bind all interfaces and meet through 127.0.0.1.
  router = new DHT({ bootstrap: false }) as DhtNode;
  await new Promise<void>((resolve) => router.listen(0, resolve));
  const bootstrap = `127.0.0.1:${router.address().port}`;

  const swarm = await startSwarm({ name: 'Dht Only', files: standardFiles(2), seed: false });
  await swarm.stop(); // its tracker is gone: only the DHT knows the seeder
  dir = await mkdtemp(path.join(os.tmpdir(), 'tss-dht-'));
  for (const file of swarm.files) {
    const target = path.join(dir, swarm.name, ...file.path.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.data);
  }
  seeder = new WebTorrent({ ...LOOPBACK_CLIENT, dht: { bootstrap: [bootstrap] } } as never);
  seeder.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    const torrent = seeder.add(swarm.torrentFile, { path: dir, announce: [] });
    torrent.on('error', () => undefined);
    torrent.on('done', () => resolve());
  });

  server = await startTestServer({ TORRENT_DHT: 'true', TORRENT_DHT_BOOTSTRAP: bootstrap, TORRENT_TIMEOUT: '20000' });
  const magnet = `magnet:?xt=urn:btih:${swarm.infoHash}`;
  expect(magnet).not.toContain('tr=');
  const added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: magnet } });
  expect(added.status).toBe(201);
  await waitFor(async () => (await json(`${server.url}/status`)).body.data.dht.nodes > 0, 20_000, 'DHT nodes');
  const video = swarm.files[0]!.data;
  const res = await request(`${server.url}/stream/proxy/${swarm.infoHash}`, { headers: { Range: 'bytes=1000-65535' } });
  expect(res.status).toBe(206);
  expect(res.body.equals(video.subarray(1000, 65536))).toBe(true);
}, 60_000);
