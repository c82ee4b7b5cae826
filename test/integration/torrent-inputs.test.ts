import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// Every way in: info hash + configured tracker, raw and multipart .torrent uploads, a .torrent URL,
// and the errors for bad input. Each test gets its own server so "added" state never leaks.
let swarm: Swarm;
let server: TestServer | undefined;

beforeAll(async () => {
  swarm = await startSwarm();
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

afterAll(async () => {
  await swarm?.stop();
});

const firstBytes = async (base: string, infoHash: string) => {
  const res = await request(`${base}/stream/proxy/${infoHash}`, { headers: { Range: 'bytes=0-65535' } });
  expect(res.status).toBe(206);
  expect(res.body.equals(swarm.files[0]!.data.subarray(0, 65536))).toBe(true);
};

test('a bare info hash finds peers through the trackers in TORRENT_TRACKERS', async () => {
  server = await startTestServer({ TORRENT_TRACKERS: swarm.trackerUrl });
  const res = await json(`${server.url}/api/torrents`, {
    method: 'POST',
    body: { infoHash: swarm.infoHash.toUpperCase() },
  });
  expect(res.status).toBe(201);
  expect(res.body.data.infoHash).toBe(swarm.infoHash);
  expect(res.body.data.files).toHaveLength(3);
  await firstBytes(server.url, swarm.infoHash);
});

test('a stream request for an unknown hash starts the torrent by itself', async () => {
  server = await startTestServer({ TORRENT_TRACKERS: swarm.trackerUrl });
  await firstBytes(server.url, swarm.infoHash);
  const status = await json(`${server.url}/api/torrents/${swarm.infoHash}`);
  expect(status.body.data.name).toBe(swarm.name);
});

test('a raw application/x-bittorrent upload', async () => {
  server = await startTestServer();
  const res = await fetch(`${server.url}/api/torrents`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-bittorrent' },
    body: swarm.torrentFile,
  });
  const body = (await res.json()) as any;
  expect(res.status).toBe(201);
  expect(body.data.infoHash).toBe(swarm.infoHash);
  await firstBytes(server.url, swarm.infoHash);
});

test('a multipart upload with a "torrent" file field', async () => {
  server = await startTestServer();
  const form = new FormData();
  form.append('torrent', new Blob([swarm.torrentFile], { type: 'application/x-bittorrent' }), 'fixture.torrent');
  const res = await fetch(`${server.url}/api/torrents`, { method: 'POST', body: form });
  const body = (await res.json()) as any;
  expect(res.status).toBe(201);
  expect(body.data.name).toBe(swarm.name);
  await firstBytes(server.url, swarm.infoHash);
});

test('a .torrent fetched from an http URL', async () => {
  // The seed's tracker host doubles as a file server here: serve the .torrent from our own test server.
  const http = await import('node:http');
  const files = http.createServer((_req, res) => res.end(swarm.torrentFile));
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', () => resolve()));
  try {
    const port = (files.address() as { port: number }).port;
    // A loopback address is refused by default (test/integration/ssrf.test.ts); the allow-list lets this one through.
    server = await startTestServer({ FETCH_ALLOW: `127.0.0.1:${port}` });
    const res = await json(`${server.url}/api/torrents`, {
      method: 'POST',
      body: { torrentUrl: `http://127.0.0.1:${port}/fixture.torrent` },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.infoHash).toBe(swarm.infoHash);
  } finally {
    files.close();
  }
});

test('bad input answers 400 naming what was wrong, unknown hashes 404', async () => {
  server = await startTestServer();
  const bad = await json(`${server.url}/api/torrents`, {
    method: 'POST',
    body: { magnetUri: 'magnet:?xt=urn:btih:nothex' },
  });
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ success: false, error: { code: 'INVALID_INPUT' } });
  expect(bad.body.error.message).toMatch(/magnet/i);

  const empty = await json(`${server.url}/api/torrents`, { method: 'POST', body: {} });
  expect(empty.status).toBe(400);
  expect(empty.body.error.message).toMatch(/magnetUri/);

  const garbage = await fetch(`${server.url}/api/torrents`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-bittorrent' },
    body: 'not a torrent',
  });
  expect(garbage.status).toBe(400);

  const notJson = await fetch(`${server.url}/api/torrents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{oops',
  });
  expect(notJson.status).toBe(400);

  expect((await json(`${server.url}/api/torrents/zzzz`)).status).toBe(400);
  expect((await json(`${server.url}/api/torrents/${'a'.repeat(40)}`)).status).toBe(404);
  expect((await json(`${server.url}/api/torrents/${'a'.repeat(40)}`, { method: 'DELETE' })).status).toBe(404);
  expect((await request(`${server.url}/stream/proxy/${swarm.infoHash}?fileIndex=-1`)).status).toBe(400);
  expect((await json(`${server.url}/no/such/route`)).body.error.code).toBe('NOT_FOUND');
});

test('/stream/info waits for the metadata of a torrent added without waiting', async () => {
  server = await startTestServer();
  const added = await json(`${server.url}/api/torrents`, {
    method: 'POST',
    body: { magnetUri: swarm.magnetUri, wait: false },
  });
  expect(added.body.data.files).toEqual([]);
  const info = await json(`${server.url}/stream/info/${swarm.infoHash}`);
  expect(info.status).toBe(200);
  expect(info.body.data.totalFiles).toBe(3);
});

test('a file index past the end is 404', async () => {
  server = await startTestServer();
  await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
  const res = await request(`${server.url}/stream/proxy/${swarm.infoHash}?fileIndex=7`);
  expect(res.status).toBe(404);
  expect(JSON.parse(res.body.toString()).error.code).toBe('FILE_NOT_FOUND');
});

describe('a dead torrent', () => {
  let dead: Swarm;
  beforeAll(async () => {
    dead = await startSwarm({ name: 'Nobody Seeds This', seed: false });
  });
  afterAll(async () => {
    await dead?.stop();
  });

  test('ends in status failed with a reason after the retries, and streams get 504 meanwhile', async () => {
    server = await startTestServer({ TORRENT_TIMEOUT: '400', TORRENT_MAX_RETRIES: '2' });
    const added = await json(`${server.url}/api/torrents`, {
      method: 'POST',
      body: { magnetUri: dead.magnetUri, wait: false },
    });
    expect(added.status).toBe(201);
    expect(added.body.data.status).toBe('connecting');

    const started = Date.now();
    const stream = await request(`${server.url}/stream/proxy/${dead.infoHash}`);
    expect(stream.status).toBe(504);
    expect(JSON.parse(stream.body.toString()).error.code).toBe('METADATA_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);

    // 3 attempts of 0.4 s plus backoff of 1 s and 2 s.
    const failed = await waitFor(
      async () => {
        const res = await json(`${server!.url}/api/torrents/${dead.infoHash}`);
        return res.body.data.status === 'failed' && res.body.data;
      },
      15000,
      'failed status',
    );
    expect(failed.error).toMatch(/3 attempts/);
    const afterFailure = await request(`${server.url}/stream/proxy/${dead.infoHash}`);
    expect(afterFailure.status).toBe(502);
  });
});
