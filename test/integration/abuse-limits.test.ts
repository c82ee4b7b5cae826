import { request } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// Rate limits answer 429 with RateLimit-* headers and a message; streams are never counted per
// request; users are counted apart; wrong tokens are slowed down; CORS_ORIGIN narrows the API only;
// HTML pages carry helmet's headers beside their own CSP.
const ADMIN = 'limits-admin-token-0123456789';
let swarm: Swarm;
let server: TestServer;

const hash = (n: number) => n.toString(16).padStart(40, 'a');
const get = (path: string, headers: Record<string, string> = {}) => request(`${server.url}${path}`, { headers });
const add = (n: number, token = ADMIN) =>
  request(`${server.url}/api/torrents`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ infoHash: hash(n), wait: false }),
  });
const body = (res: { body: Buffer }) => JSON.parse(res.body.toString('utf8'));

beforeAll(async () => {
  swarm = await startSwarm();
  server = await startTestServer({
    API_TOKEN: ADMIN,
    RATE_LIMIT_API: '12',
    RATE_LIMIT_ADDS: '2',
    CORS_ORIGIN: 'https://app.example',
    TORRENT_TIMEOUT: '500',
    TORRENT_MAX_RETRIES: '0',
  });
  // The torrent added once (as the admin) so streams below are cache or engine reads.
  const res = await request(`${server.url}/api/torrents?token=${ADMIN}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ magnetUri: swarm.magnetUri }),
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await server?.stop();
  await swarm?.stop();
});

test('adds past RATE_LIMIT_ADDS answer 429 with RateLimit headers and Retry-After', async () => {
  // The add in beforeAll was the first of the two.
  const second = await add(1);
  expect(second.status).toBe(201);
  expect(second.headers['ratelimit-limit']).toBe('2');
  expect(second.headers['ratelimit-remaining']).toBe('0');
  const third = await add(2);
  expect(third.status).toBe(429);
  expect(body(third).error.code).toBe('RATE_LIMITED');
  expect(body(third).error.message).toMatch(/^Too many requests: at most 2 adds a minute; try again in \d+ s$/);
  expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
});

test('a user has its own budget; streams are never counted per request', async () => {
  const created = await request(`${server.url}/api/users`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'friend' }),
  });
  const { token } = body(created).data as { token: string };
  expect((await add(3, token)).status).toBe(201); // the admin's adds are used up, the user's are not
  // Thirty range requests, far past RATE_LIMIT_API: players do this all the time.
  for (let i = 0; i < 30; i++) {
    const res = await get(`/stream/proxy/${swarm.infoHash}`, {
      Authorization: `Bearer ${token}`,
      Range: `bytes=${i}-${i}`,
    });
    expect(res.status).toBe(206);
  }
  // The API budget (12 a minute) runs out for the admin, whose requests above were counted.
  let status = 0;
  for (let i = 0; i < 15 && status !== 429; i++)
    status = (await get('/api/torrents', { Authorization: `Bearer ${ADMIN}` })).status;
  expect(status).toBe(429);
});

test('CORS_ORIGIN narrows the API; streams and the addon stay open to any origin', async () => {
  const fresh = await startTestServer({ CORS_ORIGIN: 'https://app.example' });
  try {
    const ask = (path: string, origin: string) => request(`${fresh.url}${path}`, { headers: { Origin: origin } });
    expect((await ask('/api/torrents', 'https://app.example')).headers['access-control-allow-origin']).toBe(
      'https://app.example',
    );
    expect((await ask('/api/torrents', 'https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
    expect((await ask('/manifest.json', 'https://evil.example')).headers['access-control-allow-origin']).toBe('*');
  } finally {
    await fresh.stop();
  }
});

test('HTML pages carry helmet headers and keep their own CSP', async () => {
  const page = await get('/', { Authorization: `Bearer ${ADMIN}`, Accept: 'text/html' });
  expect(page.status).toBe(200);
  expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
  expect(page.headers['x-content-type-options']).toBe('nosniff');
  expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(page.headers['content-security-policy']).toContain("default-src 'self'");
  expect(page.headers['content-security-policy']).not.toContain('upgrade-insecure-requests'); // helmet's CSP is off
});

test('wrong tokens are slowed down: the 31st in a minute from one address is 429', async () => {
  const fresh = await startTestServer({ API_TOKEN: ADMIN });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push(
        (await request(`${fresh.url}/status`, { headers: { Authorization: 'Bearer wrong-token-wrong' } })).status,
      );
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  } finally {
    await fresh.stop();
  }
});

test('only real 401s count as wrong tokens: 40 aborted seeks and 40 streams held open never trip the limit', async () => {
  const open = await startTestServer(); // no API_TOKEN: nothing is ever a 401
  const { default: http } = await import('node:http');
  try {
    await request(`${open.url}/api/torrents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ magnetUri: swarm.magnetUri }),
    });
    const url = `${open.url}/stream/proxy/${swarm.infoHash}`;
    const held = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) =>
          new Promise<import('node:http').IncomingMessage>((resolve) => {
            http.get(url, { headers: { Range: `bytes=${i * 1000}-` } }, (res) => {
              res.pause();
              resolve(res);
            });
          }),
      ),
    );
    expect(held.map((r) => r.statusCode)).toEqual(Array(40).fill(206));
    for (const res of held) res.destroy(); // 40 seeks abandoned mid-body
    const after = await request(url, { headers: { Range: 'bytes=0-9' } });
    expect(after.status).toBe(206);
  } finally {
    await open.stop();
  }
});
