import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPrivateAddress } from '../../src/adapters/guarded-http-client.js';
import { json } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';

// Outbound requests a caller names must never reach a private address: a "trap" listener on a loopback
// port counts every connection it receives, and must receive none, whether the URL names it directly,
// through a DNS name that resolves to 127.0.0.1, or through a redirect from an allowed host.
interface Listener {
  server: http.Server;
  port: number;
  connections: number;
  requests: string[];
}

async function listen(handler: http.RequestListener = (_req, res) => res.end('d8:announce0:e')): Promise<Listener> {
  const listener: Listener = { server: http.createServer(handler), port: 0, connections: 0, requests: [] };
  listener.server.on('connection', () => listener.connections++);
  listener.server.on('request', (req: http.IncomingMessage) => listener.requests.push(req.url ?? ''));
  await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
  listener.port = (listener.server.address() as AddressInfo).port;
  return listener;
}
const close = (l: Listener) =>
  new Promise((resolve) => {
    l.server.closeAllConnections();
    l.server.close(resolve);
  });

let trap: Listener;
let redirector: Listener;
let server: TestServer;

beforeAll(async () => {
  trap = await listen();
  redirector = await listen((req, res) => {
    res.writeHead(302, { Location: `http://127.0.0.1:${trap.port}/via-redirect.torrent` });
    res.end();
  });
  server = await startTestServer({
    FETCH_ALLOW: `127.0.0.1:${redirector.port}`,
    ADDON_UPSTREAMS: `http://127.0.0.1:${trap.port}/manifest.json,http://localhost:${trap.port}/x/manifest.json`,
  });
});

afterAll(async () => {
  await server?.stop();
  await Promise.all([trap, redirector].filter(Boolean).map(close));
});

const addUrl = (torrentUrl: string) => json(`${server.url}/api/torrents`, { method: 'POST', body: { torrentUrl } });

test.each([
  ['the loopback address itself', () => `http://127.0.0.1:${trap.port}/a.torrent`, '127.0.0.1'],
  ['a DNS name that resolves to 127.0.0.1', () => `http://localhost:${trap.port}/b.torrent`, '127.0.0.1'],
  ['an IPv4-mapped IPv6 literal', () => `http://[::ffff:127.0.0.1]:${trap.port}/c.torrent`, '::ffff:7f00:1'],
  ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
])('a torrentUrl naming %s is refused with 403 URL_NOT_ALLOWED and nothing is sent', async (_what, url, address) => {
  const res = await addUrl(url());
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('URL_NOT_ALLOWED');
  expect(res.body.error.message).toContain(address);
  expect(res.body.error.message).toContain('FETCH_ALLOW');
  expect(trap.connections).toBe(0);
});

test('a redirect from an allowed host to a private address is checked again and refused', async () => {
  const res = await addUrl(`http://127.0.0.1:${redirector.port}/start.torrent`);
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('URL_NOT_ALLOWED');
  expect(redirector.requests).toEqual(['/start.torrent']); // the allowed host was asked...
  expect(trap.connections).toBe(0); // ...and where it pointed was not
});

test('upstream addons on private addresses are never called; the stream answer is just shorter', async () => {
  const res = await json(`${server.url}/stream/movie/tt0111161.json`);
  expect(res.status).toBe(200);
  expect(res.body.streams).toEqual([]);
  expect(trap.connections).toBe(0);
});

test('the trap does count: an address on FETCH_ALLOW is reached (so the zeros above mean something)', async () => {
  const allowed = await startTestServer({ FETCH_ALLOW: `127.0.0.1:${trap.port}` });
  try {
    const res = await json(`${allowed.url}/api/torrents`, {
      method: 'POST',
      body: { torrentUrl: `http://127.0.0.1:${trap.port}/allowed.torrent` },
    });
    expect(res.status).toBe(400); // reached, but what it serves is not a valid .torrent
    expect(trap.requests).toEqual(['/allowed.torrent']);
    expect(trap.connections).toBe(1);
  } finally {
    await allowed.stop();
  }
});

test('what counts as private', () => {
  const privateOnes = [
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.20',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
    '224.0.0.1',
  ];
  const publicOnes = [
    '1.1.1.1',
    '8.8.8.8',
    '172.32.0.1',
    '192.169.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
  ];
  expect(privateOnes.filter((a) => !isPrivateAddress(a))).toEqual([]);
  expect(publicOnes.filter((a) => isPrivateAddress(a))).toEqual([]);
});
