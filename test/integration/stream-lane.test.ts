import http from 'node:http';
import { request, waitFor, type RawResponse } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// The stream lane answers players' stream reads without Express. A URL the lane declines (one extra
// query key, which the app's contract ignores) reaches the Express route: both must answer alike,
// for a finished file in the cache and for a torrent still downloading, and with the app's auth.
const ADMIN = 'lane-admin-token-0123456789';
let swarm: Swarm;
let server: TestServer;
let base: string; // /stream/proxy/<hash>?fileIndex=<main file>
/** URLs that reached Express (its handle, wrapped: it still answers them). */
let seenByApp: string[] = [];

const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
  request(`${server.url}${url}`, { method, headers });
const auth = { Authorization: `Bearer ${ADMIN}` };
/** What must be equal between the lane and the app: everything but the per-request headers. */
const comparable = (res: RawResponse) => {
  const { date: _date, 'x-request-id': _id, connection: _c, 'keep-alive': _k, ...headers } = res.headers;
  // A multipart answer's boundary is random per response.
  const boundary = /boundary=(\w+)/.exec(String(headers['content-type']))?.[1];
  const unbound = (text: string) => (boundary ? text.split(boundary).join('<boundary>') : text);
  return {
    status: res.status,
    headers: { ...headers, 'content-type': unbound(String(headers['content-type'])) },
    body: unbound(res.body.toString('latin1')),
  };
};

beforeAll(async () => {
  swarm = await startSwarm();
  server = await startTestServer({ API_TOKEN: ADMIN, NODE_ID: 'lane-node' });
  const app = server.app as unknown as { handle: (req: http.IncomingMessage, ...rest: unknown[]) => void };
  const handle = app.handle.bind(app);
  app.handle = (req, ...rest) => {
    seenByApp.push(req.url ?? '');
    handle(req, ...rest);
  };
  const added = await request(`${server.url}/api/torrents`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ magnetUri: swarm.magnetUri }),
  });
  expect(added.status).toBe(201);
  const info = await get(`/stream/info/${swarm.infoHash}`, auth);
  const files = JSON.parse(info.body.toString()).data.files as Array<{ index: number; path: string }>;
  const main = files.find((f) => f.path.endsWith(swarm.files[0]!.path))!;
  base = `/stream/proxy/${swarm.infoHash}?fileIndex=${main.index}`;
});

afterAll(async () => {
  await server?.stop();
  await swarm?.stop();
});

const cases: Array<[string, Record<string, string>, string?]> = [
  ['a range', { Range: 'bytes=1000-70999' }],
  ['a suffix range', { Range: 'bytes=-4096' }],
  ['two ranges (multipart)', { Range: 'bytes=0-9,100-199' }],
  ['a range past the end', { Range: 'bytes=999999999-' }],
  ['HEAD', { Range: 'bytes=0-99' }, 'HEAD'],
];

test('a downloading torrent: the lane and the app answer byte for byte alike', async () => {
  const data = swarm.files[0]!.data;
  seenByApp = [];
  for (const [what, headers, method] of cases) {
    const lane = await get(base, { ...auth, ...headers }, method);
    const app = await get(`${base}&via=app`, { ...auth, ...headers }, method);
    expect([what, comparable(lane)]).toEqual([what, comparable(app)]);
  }
  expect(seenByApp).toEqual(cases.map(() => `${base}&via=app`)); // the lane's own never reached Express
  const ranged = await get(base, { ...auth, Range: 'bytes=1000-70999' });
  expect(ranged.status).toBe(206);
  expect(ranged.body.equals(data.subarray(1000, 71000))).toBe(true);
  expect(ranged.headers['x-node']).toBe('lane-node');
  expect(ranged.headers['access-control-allow-origin']).toBe('*');
  expect(ranged.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
  expect((await get(base, { ...auth, 'X-Request-Id': 'trace-42', Range: 'bytes=0-0' })).headers['x-request-id']).toBe(
    'trace-42',
  );
});

test('a finished file from the cache: alike too, with conditional requests', async () => {
  const whole = await get(base, auth); // reading it all makes the file finish
  expect(whole.body.equals(swarm.files[0]!.data)).toBe(true);
  const first = await waitFor(
    async () => {
      const res = await get(base, { ...auth, Range: 'bytes=0-0' });
      return res.headers['x-stream-source'] === 'cache' && res;
    },
    30_000,
    'the file to be served from the cache',
  );
  const etag = String(first.headers.etag);
  const conditional: typeof cases = [
    ...cases,
    ['If-None-Match', { 'If-None-Match': etag }],
    ['If-Range that no longer matches', { Range: 'bytes=0-99', 'If-Range': '"other"' }],
    ['download=true', { Range: 'bytes=0-9' }],
  ];
  for (const [what, headers, method] of conditional) {
    const url = what === 'download=true' ? `${base}&download=true` : base;
    const lane = await get(url, { ...auth, ...headers }, method);
    const app = await get(`${url}&via=app`, { ...auth, ...headers }, method);
    expect([what, comparable(lane)]).toEqual([what, comparable(app)]);
  }
  expect((await get(base, { ...auth, 'If-None-Match': etag })).status).toBe(304);
});

test("tokens: a /t/<token>/ link and ?token= work; a wrong or missing token is the app's 401", async () => {
  seenByApp = [];
  const viaPath = await get(`/t/${ADMIN}${base}`, { Range: 'bytes=0-9' });
  expect(viaPath.status).toBe(206);
  expect(viaPath.body.equals(swarm.files[0]!.data.subarray(0, 10))).toBe(true);
  expect((await get(`${base}&token=${ADMIN}`, { Range: 'bytes=0-9' })).status).toBe(206);
  const wrong = await get(`/t/wrong-token-here${base}`, { Range: 'bytes=0-9' });
  expect(wrong.status).toBe(401);
  expect(JSON.parse(wrong.body.toString()).error.code).toBe('UNAUTHORIZED');
  expect((await get(base, { Accept: 'application/json' })).status).toBe(401);
  expect(seenByApp).toEqual([`/t/wrong-token-here${base}`, base]); // 401s are the app's
});

test('a user over their open-stream limit gets 429 on the lane as on the app', async () => {
  const created = await request(`${server.url}/api/users`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'lane-kid', limits: { maxStreams: 1 } }),
  });
  const { token } = JSON.parse(created.body.toString()).data as { token: string };
  // One long read held open (a whole file, read slowly) fills the user's only slot.
  const held = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(`${server.url}/t/${token}${base}`, { agent: false }, resolve).on('error', reject);
  });
  held.pause();
  try {
    for (const url of [base, `${base}&via=app`]) {
      const second = await get(`/t/${token}${url}`, { Range: 'bytes=0-9' });
      expect([url, second.status, JSON.parse(second.body.toString()).error.code]).toEqual([url, 429, 'RATE_LIMITED']);
      // A failure still carries the per-request and CORS headers a success gets.
      expect(second.headers['x-request-id']).toMatch(/\S/);
      expect([second.headers['x-node'], second.headers['access-control-allow-origin']]).toEqual(['lane-node', '*']);
    }
  } finally {
    held.destroy();
  }
});

test("errors on the lane are the app's JSON errors (an unknown torrent whose metadata never comes)", async () => {
  const fresh = await startTestServer({ TORRENT_TIMEOUT: '300', TORRENT_MAX_RETRIES: '0' });
  try {
    const unknown = `/stream/proxy/${'ab'.repeat(20)}`;
    const lane = await request(`${fresh.url}${unknown}`, { headers: { Range: 'bytes=0-9' } });
    const app = await request(`${fresh.url}${unknown}?via=app`, { headers: { Range: 'bytes=0-9' } });
    expect(lane.status).toBeGreaterThanOrEqual(400);
    expect(comparable(lane)).toEqual(comparable(app));
    expect(JSON.parse(lane.body.toString()).success).toBe(false);
  } finally {
    await fresh.stop();
  }
});
