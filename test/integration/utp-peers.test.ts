import { json, request } from '../fixtures/http.js';
import { startLibtorrentSwarm, type LibtorrentSwarm } from '../fixtures/libtorrent-swarm.js';
import { mainStreamUrl } from '../fixtures/torrent-api.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { standardFiles } from '../fixtures/swarm.js';

// TCP and uTP side by side: a libtorrent seeder that speaks only uTP is reached, and one that speaks
// only TCP still gives its first byte at once. Before, webtorrent dialled uTP first and took ~40 s to
// fall back to TCP; with uTP off, a uTP-only peer was never reached at all.
//
// "No penalty" is the bound: webtorrent's slowest path to a peer is its first reconnect (1 s backoff
// after a 5 s connect timeout), so a first byte within 5 s means the first dial carried it.
const NO_PENALTY_MS = 5000;
const KIB = 1024;

async function firstRange(server: TestServer, swarm: LibtorrentSwarm) {
  const video = swarm.files[0]!.data;
  const start = Math.floor(video.length * 0.5);
  const end = start + 64 * KIB - 1;
  const t0 = performance.now();
  const added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
  expect(added.status).toBeLessThan(300);
  const url = await mainStreamUrl(server, swarm);
  const res = await request(url, { headers: { range: `bytes=${start}-${end}` } });
  return { res, ms: performance.now() - t0, expected: video.subarray(start, end + 1), url };
}

describe.each(['utp', 'tcp'] as const)('a libtorrent seeder that speaks only %s', (transport) => {
  let swarm: LibtorrentSwarm;
  let server: TestServer;

  beforeAll(async () => {
    swarm = await startLibtorrentSwarm({
      name: `Only ${transport} Pack`,
      files: standardFiles(4),
      transport,
      pieceLength: 64 * KIB,
    });
    server = await startTestServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await swarm?.stop();
  });

  test('streams byte-exact, the first range within the no-penalty bound', async () => {
    const { res, ms, expected, url } = await firstRange(server, swarm);
    expect(res.status).toBe(206);
    expect(res.body.equals(expected)).toBe(true);
    expect(ms).toBeLessThan(NO_PENALTY_MS);
    const whole = await request(url);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(swarm.files[0]!.data)).toBe(true);
  }, 60_000);
});

describe('TORRENT_UTP=false', () => {
  let swarm: LibtorrentSwarm;
  let server: TestServer;

  beforeAll(async () => {
    swarm = await startLibtorrentSwarm({ name: 'Utp Off Pack', files: standardFiles(1), transport: 'utp' });
    server = await startTestServer({ TORRENT_UTP: 'false', TORRENT_TIMEOUT: '4000', TORRENT_MAX_RETRIES: '0' });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await swarm?.stop();
  });

  test('speaks TCP only: a uTP-only peer is out of reach and the torrent says so', async () => {
    await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
    const res = await json(`${server.url}/stream/info/${swarm.infoHash}`);
    expect(res.status).toBe(200);
    expect(res.body.data.files).toEqual([]);
    const torrent = await json(`${server.url}/api/torrents/${swarm.infoHash}`);
    expect(torrent.body.data).toMatchObject({ status: 'failed', error: expect.stringMatching(/No peers found/) });
  }, 30_000);
});
