import http from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';
import type { LogLine } from '../fixtures/log-capture.js';
import { request } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';

// The server's own logger (createLogger, as main.ts builds it) at debug level, its JSON lines captured:
// every line of a request carries that request's id, services' lines included, and no token or
// password reaches any line.
const ADMIN = 'admin-token-0123456789abcdef';
const KODI_PASSWORD = 'kodi-password-do-not-log-42';
const METRICS = 'metrics-token-0123456789abcdef';

let server: TestServer;
const raw: string[] = [];
const lines: LogLine[] = [];

beforeAll(async () => {
  const logger = createLogger('debug', {
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          raw.push(line);
          lines.push(JSON.parse(line) as LogLine);
        }
        done();
      },
    }),
  });
  server = await startTestServer(
    { API_TOKEN: ADMIN, METRICS_TOKEN: METRICS, KODI_URL: 'http://127.0.0.1:9/jsonrpc', KODI_PASSWORD },
    { logger },
  );
});

afterAll(async () => {
  await server?.stop();
});

const closed = async (id: string) => {
  // The request line is written when the response closes, just after the client has its answer.
  for (let i = 0; i < 50 && !lines.some((l) => l.reqId === id && l.msg === 'request'); i++)
    await new Promise((r) => setTimeout(r, 20));
};

test('a request keeps the id it came with; its lines, the service ones too, all carry it', async () => {
  // POST with a JSON body: the body parser's callbacks run outside the request, and the id must survive them.
  // The body comes a moment after the head, as from a real client on a real network.
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(`${server.url}/t/${ADMIN}/api/cache-config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'trace-abc.123' },
    });
    req.on('response', (r) => r.resume().on('end', () => resolve(r)));
    req.on('error', reject);
    req.flushHeaders();
    setTimeout(() => req.end(JSON.stringify({ forceCleanup: true })), 100);
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers['x-request-id']).toBe('trace-abc.123');
  await closed('trace-abc.123');
  const mine = lines.filter((l) => l.reqId === 'trace-abc.123').map((l) => l.msg);
  expect(mine).toEqual(expect.arrayContaining(['cache cleanup: nothing to do', 'request']));
  const line = lines.find((l) => l.reqId === 'trace-abc.123' && l.msg === 'request')!;
  expect(line).toMatchObject({ method: 'POST', status: 200, url: '/t/[redacted]/api/cache-config' });
});

test('ids are made when missing or unsafe, and differ per request', async () => {
  const a = await request(`${server.url}/api/torrents`, { headers: { Authorization: `Bearer ${ADMIN}` } });
  const b = await request(`${server.url}/api/torrents?token=${ADMIN}`, {
    headers: { 'X-Request-Id': `${'x'.repeat(65)}` },
  });
  const c = await request(`${server.url}/health`, { headers: { 'X-Request-Id': 'two words' } });
  const ids = [a, b, c].map((r) => String(r.headers['x-request-id']));
  expect(new Set(ids).size).toBe(3);
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
  await closed(ids[1]!);
  const line = lines.find((l) => l.reqId === ids[1] && l.msg === 'request')!;
  expect(line.url).toBe('/api/torrents?token=[redacted]');
});

test('no token or password reaches a log line, wherever it was', async () => {
  await request(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS}` } });
  await request(`${server.url}/t/${ADMIN}/api/torrents/${'0'.repeat(40)}`, {
    headers: { Cookie: `tss_token=${ADMIN}` },
  });
  // What a careless call site could log: the server's logger redacts it anyway.
  const logger = createLogger('info', {
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        raw.push(chunk.toString('utf8'));
        done();
      },
    }),
  });
  logger.info(
    { kodi: { password: KODI_PASSWORD }, headers: { authorization: `Bearer ${ADMIN}` }, auth: { apiToken: ADMIN } },
    'settings',
  );
  expect(raw.length).toBeGreaterThan(5);
  const all = raw.join('\n');
  expect(all).toContain('[redacted]');
  for (const secret of [ADMIN, KODI_PASSWORD, METRICS]) expect(all).not.toContain(secret);
});
