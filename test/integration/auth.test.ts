import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { redactUrl } from '../../src/http/middleware/request-log.js';
import { json, request, waitFor } from '../fixtures/http.js';
import { appStack, walkStack } from '../fixtures/router-stack.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// API_TOKEN set: nothing but the open list answers without a token; every carrier of the token works;
// user tokens can be created, limited and revoked; and every link the server hands out plays in a
// real client (curl) with nothing but its URL.
const ADMIN = 'admin-token-0123456789abcdef';
const run = promisify(execFile);

let swarm: Swarm;
let server: TestServer;
let video: Buffer;

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const api = (path: string, token: string | undefined, options: { method?: string; body?: unknown } = {}) =>
  request(`${server.url}${path}`, {
    method: options.method ?? 'GET',
    headers: { ...(token ? bearer(token) : {}), ...(options.body ? { 'Content-Type': 'application/json' } : {}) },
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
  });
const body = (res: { body: Buffer }) => JSON.parse(res.body.toString('utf8'));
/** curl, a real client that knows nothing but the URL. */
const curl = async (url: string, range: string) =>
  (await run('curl', ['-sf', '-r', range, url], { encoding: 'buffer' })).stdout;

beforeAll(async () => {
  swarm = await startSwarm();
  video = swarm.files[0]!.data;
  // The walk below sends ~40 tokenless requests: more than the wrong-token limit (abuse-limits.test.ts).
  server = await startTestServer({ API_TOKEN: ADMIN, RATE_LIMIT_AUTH_FAILURES: '0' });
  expect((await api('/api/torrents', ADMIN, { method: 'POST', body: { magnetUri: swarm.magnetUri } })).status).toBe(
    201,
  );
  await waitFor(
    async () => body(await api(`/api/torrents/${swarm.infoHash}`, ADMIN)).data.progress === '100.00',
    30_000,
    'download',
  );
});

afterAll(async () => {
  await server?.stop();
  await swarm?.stop();
});

/** A concrete URL for an Express route path: params get values that reach the handler. */
function concrete(path: string): string {
  return path
    .replace(':infoHash', swarm.infoHash)
    .replace(':fileIndex', '0')
    .replace(':fileName', 'x.mp4')
    .replace(':file', 'x')
    .replace(':config', 'x')
    .replace(':id', '0123456789abcdef')
    .replace(/[:*]\w+/g, 'x');
}

const OPEN = new Set([
  'GET /health',
  'GET /favicon.ico',
  'GET /login',
  'POST /login',
  'POST /logout',
  // A page asset (hls.js, from npm), open like everything under /web/.
  'GET /web/vendor/hls.min.js',
]);

test('every route in the router stack answers 401 without a token, except the open list', async () => {
  const surface = walkStack(appStack(server.app));
  expect(surface.routes.length).toBeGreaterThan(30);
  const answers = await Promise.all(
    surface.routes.map(async ({ method, path }) => {
      const res = await request(`${server.url}${concrete(path)}`, {
        method: method.toUpperCase(),
        headers: { Accept: 'application/json' },
      });
      return {
        route: `${method.toUpperCase()} ${path}`,
        status: res.status,
        code: String(res.headers['content-type']).startsWith('application/json') ? body(res).error?.code : undefined,
      };
    }),
  );
  const open = answers.filter((a) => OPEN.has(a.route));
  const guarded = answers.filter((a) => !OPEN.has(a.route));
  expect(guarded.filter((a) => a.status !== 401 || a.code !== 'UNAUTHORIZED')).toEqual([]);
  expect(open.map((a) => a.route).sort()).toEqual([...OPEN].sort());
  // Open routes reach their handler (POST /login without a token answers its own form, 401 included).
  expect(open.filter((a) => a.code === 'UNAUTHORIZED')).toEqual([]);
  // The addon's routes live inside the SDK's router (not in the stack): checked by hand.
  for (const path of [
    '/manifest.json',
    `/stream/movie/btih:${swarm.infoHash}.json`,
    '/catalog/movie/tss-my-torrents.json',
  ]) {
    expect((await request(`${server.url}${path}`)).status).toBe(401);
  }
  // Static assets the login page needs stay open; nothing else under them is secret.
  expect((await request(`${server.url}/web/style.css`)).status).toBe(200);
});

test('the token is accepted as Bearer, as a /t/<token>/ prefix, as ?token= and as the sign-in cookie', async () => {
  expect((await api('/api/torrents', ADMIN)).status).toBe(200);
  expect((await request(`${server.url}/t/${ADMIN}/api/torrents`)).status).toBe(200);
  expect((await request(`${server.url}/api/torrents?token=${ADMIN}`)).status).toBe(200);

  const login = await request(`${server.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `token=${ADMIN}&next=${encodeURIComponent('/api/torrents')}`,
  });
  expect(login.status).toBe(303);
  expect(login.headers.location).toBe('/api/torrents');
  const setCookie = String(login.headers['set-cookie']);
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Strict/i);
  const cookie = setCookie.split(';')[0]!;
  expect((await request(`${server.url}/api/torrents`, { headers: { Cookie: cookie } })).status).toBe(200);
  // An open redirect is not on offer.
  const away = await request(`${server.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `token=${ADMIN}&next=${encodeURIComponent('//evil.example/')}`,
  });
  expect(away.headers.location).toBe('/');
});

test('a wrong token is 401 with a message; a browser asking for a page gets the sign-in form', async () => {
  const wrong = await api('/api/torrents', 'not-the-token-at-all');
  expect(wrong.status).toBe(401);
  expect(body(wrong)).toEqual({
    success: false,
    error: { code: 'UNAUTHORIZED', message: 'This token is not valid (revoked, or mistyped)' },
  });
  expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
  const page = await request(`${server.url}/`, { headers: { Accept: 'text/html' } });
  expect(page.status).toBe(401);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.body.toString()).toContain('name="token"');
  expect(page.body.toString()).toContain('action="/login"');
  const badLogin = await request(`${server.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'token=nope',
  });
  expect(badLogin.status).toBe(401);
  expect(badLogin.body.toString()).toContain('not valid');
});

test('users: the admin creates one, its token adds and streams but cannot administer, and revoking it works at once', async () => {
  const created = await api('/api/users', ADMIN, { method: 'POST', body: { name: 'living-room-tv' } });
  expect(created.status).toBe(201);
  const { id, token } = body(created).data as { id: string; token: string };
  expect(token.length).toBeGreaterThanOrEqual(32);
  expect(body(await api('/api/users', ADMIN)).data).toEqual([
    expect.objectContaining({ id, name: 'living-room-tv', limits: {} }),
  ]);
  expect(JSON.stringify(body(await api('/api/users', ADMIN)))).not.toContain(token);

  const range = await request(`${server.url}/stream/proxy/${swarm.infoHash}`, {
    headers: { ...bearer(token), Range: 'bytes=100-199' },
  });
  expect(range.status).toBe(206);
  expect(range.body.equals(video.subarray(100, 200))).toBe(true);
  expect(body(await api('/api/session', token)).data).toMatchObject({
    kind: 'user',
    name: 'living-room-tv',
    authRequired: true,
  });

  // Admin-only: managing users, the cache, cleanups, a Kodi named in the request.
  expect((await api('/api/users', token, { method: 'POST', body: { name: 'sneaky' } })).status).toBe(403);
  expect((await api(`/api/cache/${swarm.infoHash}`, token, { method: 'DELETE' })).status).toBe(403);
  expect((await api('/api/cache-config', token, { method: 'POST', body: { forceCleanup: true } })).status).toBe(403);
  expect((await api(`/api/torrents/${swarm.infoHash}`, token, { method: 'DELETE' })).status).toBe(403); // not theirs
  const kodi = await api('/api/kodi/play', token, {
    method: 'POST',
    body: { infoHash: swarm.infoHash, kodi: { url: 'http://192.168.1.20:8080' } },
  });
  expect(kodi.status).toBe(403);

  expect((await api('/api/users', ADMIN, { method: 'POST', body: { name: 'living-room-tv' } })).status).toBe(409);
  expect((await api(`/api/users/${id}`, ADMIN, { method: 'DELETE' })).status).toBe(200);
  expect((await api('/api/torrents', token)).status).toBe(401);
  expect(
    (await request(`${server.url}/t/${token}/stream/proxy/${swarm.infoHash}`, { headers: { Range: 'bytes=0-9' } }))
      .status,
  ).toBe(401);
});

test('per-user limits: streams open at once and adds per day answer 429 with a message', async () => {
  const created = await api('/api/users', ADMIN, {
    method: 'POST',
    body: { name: 'kid', limits: { maxStreams: 1, addsPerDay: 1 } },
  });
  const { token } = body(created).data as { token: string };

  // One stream held open (paused: 24 MiB do not fit in socket buffers), then a second one.
  const held = await new Promise<http.IncomingMessage>((resolve) => {
    http.get(`${server.url}/stream/proxy/${swarm.infoHash}`, { headers: bearer(token) }, (res) => {
      res.pause();
      resolve(res);
    });
  });
  try {
    expect(held.statusCode).toBe(200);
    const second = await request(`${server.url}/stream/proxy/${swarm.infoHash}`, {
      headers: { ...bearer(token), Range: 'bytes=0-9' },
    });
    expect(second.status).toBe(429);
    expect(body(second).error).toEqual({
      code: 'RATE_LIMITED',
      message: 'kid already has 1 streams open, their limit; close one first',
    });
  } finally {
    held.destroy();
  }
  await waitFor(
    async () =>
      (
        await request(`${server.url}/stream/proxy/${swarm.infoHash}`, {
          headers: { ...bearer(token), Range: 'bytes=0-9' },
        })
      ).status === 206,
    5000,
    'the slot to be freed',
  );

  const add = (hash: string) => api('/api/torrents', token, { method: 'POST', body: { infoHash: hash, wait: false } });
  expect((await add('1'.repeat(40))).status).toBe(201);
  const over = await add('2'.repeat(40));
  expect(over.status).toBe(429);
  expect(body(over).error.message).toContain('daily limit');
  // What a user added, they may remove.
  expect((await api(`/api/torrents/${'1'.repeat(40)}`, token, { method: 'DELETE' })).status).toBe(200);
});

test('every link handed out carries the token and plays in curl with only its URL', async () => {
  const expected = video.subarray(1000, 2000);
  const m3u = (
    await request(`${server.url}/playlist/${swarm.infoHash}.m3u`, { headers: bearer(ADMIN) })
  ).body.toString();
  const m3uUrl = m3u.split('\n').find((line) => line.startsWith('http'))!;
  expect(m3uUrl).toContain(`/t/${ADMIN}/stream/`);

  const strm = (await request(`${server.url}/strm/${swarm.infoHash}/0.strm`, { headers: bearer(ADMIN) })).body
    .toString()
    .trim();
  const info = body(await api(`/stream/info/${swarm.infoHash}`, ADMIN)).data.files[0];
  const stremio = body(await request(`${server.url}/t/${ADMIN}/stream/movie/btih:${swarm.infoHash}.json`));
  const stremioUrl = stremio.streams[0].url as string;
  const configure = (await request(`${server.url}/t/${ADMIN}/configure`)).body.toString();
  expect(configure).toContain(`/t/${ADMIN}/manifest.json`);
  expect((await request(`${server.url}/t/${ADMIN}/manifest.json`)).status).toBe(200);

  for (const url of [m3uUrl, strm, `${server.url}${info.playerUrl}`, stremioUrl]) {
    expect(url).toContain(`/t/${ADMIN}/`);
    expect((await curl(url, '1000-1999')).equals(expected)).toBe(true);
  }
  // The stream/file redirect keeps the token too.
  const redirect = await request(`${server.url}${info.streamUrl}`);
  expect(redirect.status).toBe(302);
  expect(redirect.headers.location).toContain(`/t/${ADMIN}/stream/proxy/`);
});

test('tokens never reach a log line', () => {
  expect(redactUrl(`/t/${ADMIN}/stream/proxy/abc?x=1`)).toBe('/t/[redacted]/stream/proxy/abc?x=1');
  expect(redactUrl(`/api/torrents?token=${ADMIN}&a=b`)).toBe('/api/torrents?token=[redacted]&a=b');
});

test('without API_TOKEN and without HOST the server binds to 127.0.0.1 only', async () => {
  const { loadConfig } = await import('../../src/config.js');
  expect(loadConfig({}, '/tmp').host).toBe('127.0.0.1');
  expect(loadConfig({ API_TOKEN: ADMIN }, '/tmp').host).toBe('0.0.0.0');
  expect(loadConfig({ HOST: '0.0.0.0' }, '/tmp').host).toBe('0.0.0.0');
  expect(() => loadConfig({ API_TOKEN: 'short' }, '/tmp')).toThrow(/API_TOKEN must be at least 16 characters/);
  const open = await startTestServer();
  try {
    expect((await json(`${open.url}/api/session`)).body.data).toEqual({
      authRequired: false,
      kind: 'admin',
      name: 'admin',
      linkPrefix: '',
    });
    const address = open.server.address() as AddressInfo;
    expect(address.address).toBe('127.0.0.1');
  } finally {
    await open.stop();
  }
});
