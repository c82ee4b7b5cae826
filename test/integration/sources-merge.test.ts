import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { json, request } from '../fixtures/http.js';
import { addTorrentFile } from '../fixtures/torrent-api.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, standardFiles, type Swarm } from '../fixtures/swarm.js';

// A torrent first started from a bare info hash (a player hitting /stream/proxy/<hash>) takes what a
// later add of the same torrent brings: a magnet's trackers, a .torrent's metadata, web seeds.
// Real server, real loopback swarm; TORRENT_TIMEOUT is long enough that "it only worked because the
// hash-only attempt timed out and retried" cannot happen within the test.
const TIMEOUT_MS = 60_000;
const KIB = 1024;

const videoOf = (swarm: Swarm) => swarm.files[0]!.data;

async function addMagnet(server: TestServer, magnetUri: string) {
  return json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri } });
}

/** A BEP 19 web seed: serves the swarm's files by path with single Range requests, counting them. */
async function startWebSeed(swarm: Swarm) {
  const byPath = new Map(swarm.files.map((f) => [`/${swarm.name}/${f.path}`, f.data]));
  let requests = 0;
  const server = http.createServer((req, res) => {
    const data = byPath.get(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!data) return void res.writeHead(404).end();
    requests++;
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) return void res.writeHead(200, { 'content-length': data.length }).end(data);
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), data.length - 1);
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${data.length}`, 'content-length': end - start + 1 });
    res.end(data.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests: () => requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a later magnet reaches a torrent started from its bare hash', () => {
  let swarm: Swarm;
  let server: TestServer;

  beforeAll(async () => {
    swarm = await startSwarm({ name: 'Merge Pack', files: standardFiles(4) });
    server = await startTestServer({ TORRENT_TIMEOUT: String(TIMEOUT_MS), TORRENT_MAX_RETRIES: '0' });
  });
  afterAll(async () => {
    await server?.stop();
    await swarm?.stop();
  });

  test("the player's pending range is answered byte-exact once the magnet with the tracker is added", async () => {
    const t0 = performance.now();
    // No tracker, no DHT: on its own this request could only wait out TORRENT_TIMEOUT.
    const reading = request(`${server.url}/stream/proxy/${swarm.infoHash}`, { headers: { range: 'bytes=0-65535' } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await json(`${server.url}/api/torrents/${swarm.infoHash}`)).body.data).toMatchObject({
      status: 'connecting',
    });
    const added = await addMagnet(server, swarm.magnetUri);
    expect(added.status).toBeLessThan(300);
    const res = await reading;
    const elapsed = performance.now() - t0;
    expect(res.status).toBe(206);
    expect(res.body.equals(videoOf(swarm).subarray(0, 64 * KIB))).toBe(true);
    expect(elapsed).toBeLessThan(TIMEOUT_MS / 2);
    // The magnet's name replaces the bare hash as the torrent's name.
    expect((await json(`${server.url}/api/torrents/${swarm.infoHash}`)).body.data.name).toBe('Merge Pack');
  }, 45_000);
});

describe('a later .torrent and web seeds reach a torrent nobody seeds', () => {
  let dead: Swarm;
  let server: TestServer;
  let webSeed: Awaited<ReturnType<typeof startWebSeed>>;

  beforeAll(async () => {
    // Tracker up, no seeder: only the .torrent can give the metadata, only the web seed the bytes.
    dead = await startSwarm({ name: 'Seedless Pack', files: standardFiles(2), seed: false });
    webSeed = await startWebSeed(dead);
    server = await startTestServer({ TORRENT_TIMEOUT: String(TIMEOUT_MS), TORRENT_MAX_RETRIES: '0' });
  });
  afterAll(async () => {
    await server?.stop();
    await webSeed?.stop();
    await dead?.stop();
  });

  test('a pending read of the bare hash gets the metadata from a later .torrent, then its bytes from a later web seed', async () => {
    const t0 = performance.now();
    const video = videoOf(dead);
    const start = video.length - 100 * KIB;
    let settled = false;
    const reading = request(`${server.url}/stream/proxy/${dead.infoHash}?fileIndex=0`, {
      headers: { range: `bytes=${start}-` },
    }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await json(`${server.url}/api/torrents/${dead.infoHash}`)).body.data).toMatchObject({
      status: 'connecting',
    });

    expect((await addTorrentFile(server, dead.torrentFile)).status).toBeLessThan(300);
    const info = await json(`${server.url}/stream/info/${dead.infoHash}`);
    expect(info.status).toBe(200);
    expect(info.body.data.files.map((f: { path: string }) => f.path)).toEqual(
      dead.files.map((f) => `${dead.name}/${f.path}`),
    );
    expect(performance.now() - t0).toBeLessThan(TIMEOUT_MS / 2);
    // Metadata, but nobody has the bytes yet.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    expect(webSeed.requests()).toBe(0);

    const magnet = `${dead.magnetUri}&ws=${encodeURIComponent(webSeed.url)}`;
    expect((await addMagnet(server, magnet)).status).toBeLessThan(300);
    const res = await reading;
    expect(res.status).toBe(206);
    expect(res.body.equals(video.subarray(start))).toBe(true);
    expect(webSeed.requests()).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(TIMEOUT_MS / 2);
  }, 45_000);
});
