import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// Seeking into a region the download has not reached: the pieces at the new position jump the
// queue. The download is throttled so the sequential front is provably far behind the seek.
let swarm: Swarm;
let server: TestServer;

beforeAll(async () => {
  swarm = await startSwarm();
  server = await startTestServer({ TORRENT_DOWNLOAD_LIMIT: '2048' }); // KiB/s: 24 MiB takes ~12 s
  // Added here, not in the first test, so the second one also runs alone (-t).
  await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
});

afterAll(async () => {
  await server?.stop();
  await swarm?.stop();
});

test('a range at 90 % is delivered long before the download gets there', async () => {
  const video = swarm.files[0]!.data;
  const start = Math.floor(video.length * 0.9);
  const res = await request(`${server.url}/stream/proxy/${swarm.infoHash}`, {
    headers: { Range: `bytes=${start}-${start + 65535}` },
  });
  expect(res.status).toBe(206);
  expect(res.body.equals(video.subarray(start, start + 65536))).toBe(true);

  const files = await json(`${server.url}/api/torrents/${swarm.infoHash}/files`);
  const progress = Number(files.body.data.files[0].progress);
  expect(progress).toBeLessThan(60);

  // And a player that then seeks back to the start is served from there too.
  const head = await request(`${server.url}/stream/proxy/${swarm.infoHash}`, { headers: { Range: 'bytes=0-65535' } });
  expect(head.body.equals(video.subarray(0, 65536))).toBe(true);
});

test('a client that disconnects mid-stream releases its read', async () => {
  const http = await import('node:http');
  const video = swarm.files[0]!.data;
  const offset = Math.floor(video.length * 0.5);
  const req = http.get(`${server.url}/stream/proxy/${swarm.infoHash}`, { headers: { Range: `bytes=${offset}-` } });
  req.on('error', () => undefined); // we hang up on purpose below
  const res = await new Promise<import('node:http').IncomingMessage>((resolve) => req.once('response', resolve));
  await new Promise((resolve) => res.once('data', resolve));
  res.pause();
  expect((await json(`${server.url}/api/torrents/${swarm.infoHash}`)).body.data.activeStreams).toBe(1);
  req.destroy(); // the player seeks away
  // The engine stream is destroyed (no leak), then the torrent keeps answering.
  await waitFor(
    async () => (await json(`${server.url}/api/torrents/${swarm.infoHash}`)).body.data.activeStreams === 0,
    5000,
    'stream release',
  );
  const again = await request(`${server.url}/stream/proxy/${swarm.infoHash}`, {
    headers: { Range: `bytes=${offset}-${offset + 1023}` },
  });
  expect(again.body.equals(video.subarray(offset, offset + 1024))).toBe(true);
});

test("a seek's own pieces are asked for before the video's tail is prebuffered", async () => {
  const PIECE = 64 * 1024;
  const fresh = await startSwarm({ pieceLength: PIECE });
  const reader = await startTestServer();
  try {
    await json(`${reader.url}/api/torrents`, { method: 'POST', body: { magnetUri: fresh.magnetUri } });
    // The subtitle first: the seeder has unchoked us, so a request could go out the moment it is chosen.
    const info = await json(`${reader.url}/stream/info/${fresh.infoHash}`);
    const files = info.body.data.files as Array<{ index: number; path: string }>;
    const subtitle = files.find((f) => f.path.endsWith('.srt'))!;
    expect((await request(`${reader.url}/stream/proxy/${fresh.infoHash}?fileIndex=${subtitle.index}`)).status).toBe(
      200,
    );
    fresh.requests!.length = 0;

    const video = fresh.files[0]!.data; // the torrent's first file: its pieces start at 0
    const start = Math.floor(video.length * 0.6);
    const res = await request(`${reader.url}/stream/proxy/${fresh.infoHash}`, {
      headers: { Range: `bytes=${start}-${start + 65535}` },
    });
    expect(res.body.equals(video.subarray(start, start + 65536))).toBe(true);
    // The prebuffered tail: the video's last 2 MiB (1 % of 24 MiB is less), far from the seek.
    const lastPiece = Math.ceil(video.length / PIECE) - 1;
    const inTail = (piece: number) => piece > lastPiece - (2 * 1024 * 1024) / PIECE && piece <= lastPiece;
    const pieces = fresh.requests!.map((r) => r.piece);
    const seek = pieces.indexOf(Math.floor(start / PIECE));
    expect(seek).toBeGreaterThanOrEqual(0);
    const tail = pieces.findIndex(inTail);
    expect(tail === -1 || tail > seek).toBe(true);
    // And the tail still comes once the read is served.
    await waitFor(async () => fresh.requests!.some((r) => inTail(r.piece)), 5000, 'the tail to be prebuffered');
  } finally {
    await reader.stop();
    await fresh.stop();
  }
});
