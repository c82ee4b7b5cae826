import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// A torrent that only a stream request started, left unfinished and unread, is stopped after
// TORRENT_IDLE_TIMEOUT; one added through the API keeps downloading.
let clicked: Swarm;
let library: Swarm;
let server: TestServer;

beforeAll(async () => {
  [clicked, library] = await Promise.all([startSwarm({ name: 'Clicked' }), startSwarm({ name: 'Library' })]);
  server = await startTestServer({
    TORRENT_TRACKERS: clicked.trackerUrl,
    TORRENT_IDLE_TIMEOUT: '1',
    CACHE_CLEANUP_INTERVAL: '1',
    TORRENT_DOWNLOAD_LIMIT: '512', // KiB/s: neither 24 MiB video can finish during the test
  });
});

afterAll(async () => {
  await server?.stop();
  await clicked?.stop();
  await library?.stop();
});

test('stream-started torrents stop when idle, API-added ones stay', async () => {
  const added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: library.magnetUri } });
  expect(added.status).toBe(201);
  const first = await request(`${server.url}/stream/proxy/${clicked.infoHash}`, { headers: { Range: 'bytes=0-1023' } });
  expect(first.status).toBe(206);
  expect((await json(`${server.url}/api/torrents/${clicked.infoHash}`)).status).toBe(200);

  await waitFor(
    async () => (await json(`${server.url}/api/torrents/${clicked.infoHash}`)).status === 404,
    8000,
    'idle stop',
  );
  const kept = await json(`${server.url}/api/torrents/${library.infoHash}`);
  expect(kept.status).toBe(200);
  expect(kept.body.data.status).not.toBe('complete');
});
