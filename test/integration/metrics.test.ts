import { request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// GET /metrics against the real server and a real loopback swarm: what a Prometheus scrape sees after
// streams (a first read, a seek, a cache hit, a stall), and who may scrape.
const ADMIN = 'admin-token-0123456789abcdef';
const METRICS = 'metrics-token-0123456789abcdef';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** One sample's value from the text exposition (`name{labels} value`), undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const scrape = async (server: TestServer, token = METRICS) => {
  const res = await request(`${server.url}/metrics`, { headers: bearer(token) });
  expect(res.status).toBe(200);
  return res.body.toString('utf8');
};

describe('with API_TOKEN and METRICS_TOKEN', () => {
  let swarm: Swarm;
  let server: TestServer;

  beforeAll(async () => {
    swarm = await startSwarm();
    server = await startTestServer({
      API_TOKEN: ADMIN,
      METRICS_TOKEN: METRICS,
      TORRENT_TRACKERS: swarm.trackerUrl,
      CACHE_BACKEND: 'memory',
    });
  });

  afterAll(async () => {
    await server?.stop();
    await swarm?.stop();
  });

  test('who may scrape: the metrics token and the admin token; a user token is 403, nothing is 401', async () => {
    expect((await request(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await request(`${server.url}/metrics`, { headers: bearer('not-a-real-token-at-all') });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body.toString()).error.code).toBe('UNAUTHORIZED');
    // The metrics token opens /metrics and nothing else.
    expect((await request(`${server.url}/api/torrents`, { headers: bearer(METRICS) })).status).toBe(401);
    expect((await request(`${server.url}/metrics`, { headers: bearer(ADMIN) })).status).toBe(200);

    const created = await request(`${server.url}/api/users`, {
      method: 'POST',
      headers: { ...bearer(ADMIN), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'viewer' }),
    });
    const userToken = JSON.parse(created.body.toString()).data.token as string;
    const forbidden = await request(`${server.url}/metrics`, { headers: bearer(userToken) });
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.body.toString()).error.code).toBe('FORBIDDEN');
  });

  test('streams, seeks, cache hits, torrents and HTTP routes show up; no token or raw URL does', async () => {
    const before = await scrape(server);
    expect(before).toContain('# TYPE tss_stream_time_to_first_byte_seconds histogram');
    expect(sample(before, 'tss_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample(before, 'tss_torrents', { status: 'downloading' })).toBe(0);
    expect(sample(before, 'tss_active_streams')).toBe(0);

    const added = await request(`${server.url}/api/torrents`, {
      method: 'POST',
      headers: { ...bearer(ADMIN), 'Content-Type': 'application/json' },
      body: JSON.stringify({ magnetUri: swarm.magnetUri }),
    });
    expect(added.status).toBe(201);
    const video = swarm.files[0]!.data;
    // A read from the start, then a seek, through the token-in-path form players use.
    const stream = `${server.url}/t/${ADMIN}/stream/proxy/${swarm.infoHash}`;
    const first = await request(stream, { headers: { Range: 'bytes=0-65535' } });
    expect(first.status).toBe(206);
    const at = Math.floor(video.length / 2);
    const seek = await request(stream, { headers: { Range: `bytes=${at}-${at + 65535}` } });
    expect(seek.status).toBe(206);
    expect(seek.body.equals(video.subarray(at, at + 65536))).toBe(true);

    // Once the file is finished and in the cache, the next read is a hit.
    await waitFor(
      async () => {
        const res = await request(stream, { method: 'HEAD' });
        return res.headers['x-stream-source'] === 'cache';
      },
      60_000,
      'the video in the cache',
    );

    const text = await scrape(server);
    expect(sample(text, 'tss_stream_time_to_first_byte_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'tss_stream_seek_latency_seconds_count')).toBe(1);
    expect(sample(text, 'tss_streams_total')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'tss_active_streams')).toBe(0);
    expect(sample(text, 'tss_cache_hits_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tss_cache_misses_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tss_cache_entries')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tss_cache_bytes')).toBeGreaterThanOrEqual(video.length);
    expect(sample(text, 'tss_cache_evictions_total')).toBe(0);
    const torrents = ['connecting', 'connected', 'downloading', 'complete', 'failed'].map(
      (status) => sample(text, 'tss_torrents', { status }) ?? 0,
    );
    expect(torrents.reduce((a, b) => a + b, 0)).toBe(1);
    expect(sample(text, 'tss_torrent_downloaded_bytes')).toBeGreaterThanOrEqual(video.length);
    expect(sample(text, 'tss_peers')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'tss_dht_nodes')).toBe(0);
    expect(sample(text, 'tss_download_speed_bytes')).toBeGreaterThanOrEqual(0);

    // HTTP durations by the matched route pattern, never the URL.
    const streamRoute = { route: '/stream/proxy/:infoHash', method: 'GET', status: '206' };
    expect(sample(text, 'tss_http_request_duration_seconds_count', streamRoute)).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, 'tss_http_request_duration_seconds_count', {
        route: '/api/torrents',
        method: 'POST',
        status: '201',
      }),
    ).toBe(1);
    expect(
      sample(text, 'tss_http_request_duration_seconds_count', { route: 'none', method: 'GET', status: '401' }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(ADMIN);
    expect(text).not.toContain(swarm.infoHash);
  }, 90_000);
});

test('a stall is counted', async () => {
  const swarm = await startSwarm();
  let seeding = true;
  const server = await startTestServer({
    TORRENT_TRACKERS: swarm.trackerUrl,
    TORRENT_TIMEOUT: '1500',
    TORRENT_DOWNLOAD_LIMIT: '256',
  });
  try {
    const added = await request(`${server.url}/api/torrents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ magnetUri: swarm.magnetUri }),
    });
    expect(added.status).toBe(201);
    await swarm.stop(); // the only seeder leaves
    seeding = false;
    const start = Math.floor(swarm.files[0]!.data.length * 0.9);
    const res = await request(`${server.url}/stream/proxy/${swarm.infoHash}`, {
      headers: { Range: `bytes=${start}-${start + 65535}` },
    });
    expect(res.status).toBe(504);
    // Without API_TOKEN and METRICS_TOKEN, /metrics is open like everything else.
    const open = await request(`${server.url}/metrics`);
    expect(open.status).toBe(200);
    expect(String(open.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = open.body.toString('utf8');
    expect(sample(text, 'tss_stream_stalls_total')).toBe(1);
    expect(sample(text, 'tss_active_streams')).toBe(0);
    expect(sample(text, 'tss_stream_time_to_first_byte_seconds_count')).toBe(0);
  } finally {
    await server.stop();
    if (seeding) await swarm.stop();
  }
}, 60_000);

test('METRICS_TOKEN alone (no API_TOKEN): the API stays open, /metrics needs the token', async () => {
  const server = await startTestServer({ METRICS_TOKEN: METRICS });
  try {
    expect((await request(`${server.url}/api/torrents`)).status).toBe(200);
    expect((await request(`${server.url}/metrics`)).status).toBe(401);
    expect((await request(`${server.url}/metrics`, { headers: bearer(METRICS) })).status).toBe(200);
  } finally {
    await server.stop();
  }
});
