import { json, request } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// No request waits forever: when the only seeder leaves, a read of pieces nobody has fails after
// TORRENT_TIMEOUT with 504 (before the first byte) instead of hanging the player.
let swarm: Swarm;
let server: TestServer;

beforeAll(async () => {
  swarm = await startSwarm();
  server = await startTestServer({ TORRENT_TIMEOUT: '1500', TORRENT_DOWNLOAD_LIMIT: '256' });
});

afterAll(async () => {
  await server?.stop();
});

test('a read whose pieces no peer has fails with 504 STREAM_STALLED', async () => {
  const added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
  expect(added.body.data.files).toHaveLength(3);
  await swarm.stop(); // the only seeder leaves

  const video = swarm.files[0]!.data;
  const start = Math.floor(video.length * 0.9);
  const began = Date.now();
  const res = await request(`${server.url}/stream/proxy/${swarm.infoHash}`, {
    headers: { Range: `bytes=${start}-${start + 65535}` },
  });
  expect(res.status).toBe(504);
  expect(JSON.parse(res.body.toString()).error.code).toBe('STREAM_STALLED');
  expect(Date.now() - began).toBeGreaterThanOrEqual(1400);
  expect(Date.now() - began).toBeLessThan(5000);
  const status = await json(`${server.url}/api/torrents/${swarm.infoHash}`);
  expect(status.body.data.activeStreams).toBe(0);
});
