import express from 'express';
import http from 'node:http';
import net from 'node:net';
import type { Logger } from '../../src/logger.js';
import { DomainError } from '../../src/domain/errors.js';
import { applyServerLimits, clientAddress, serverOptions, type ServerLimits } from '../../src/http-server-limits.js';
import { readAddRequest } from '../../src/http/torrents/read-add-request.js';
import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// Slow clients over real loopback sockets: bodies a byte at a time and half header lines are closed by
// the request deadlines while normal requests keep their latency; a slow *reader* of a long response
// is not cut (requestTimeout ends when the request is in); the per-address cap refuses the 11th socket.
// Small deadlines keep the file short; the numbers measured are printed (SLOW_CLIENTS_QUIET=1 hides them).

const REQUEST_TIMEOUT = 3000;
const HEADERS_TIMEOUT = 2000;
const report = (line: string) => {
  if (!process.env.SLOW_CLIENTS_QUIET) process.stdout.write(`slow-clients: ${line}\n`);
};

const open: net.Socket[] = [];
const servers: { close(): Promise<void> }[] = [];
let swarm: Swarm | undefined;

afterAll(async () => {
  for (const s of open) s.destroy();
  for (const s of servers) await s.close();
  await swarm?.stop();
});

interface Watched {
  socket: net.Socket;
  startedAt: number;
  /** ms from connecting to the server closing the socket, once it has. */
  closedAfter?: number;
  received: string;
}

/** A client socket whose close is timed; it reads (and keeps) what the server says. */
function watch(port: number, onConnect: (w: Watched) => void): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    open.push(socket);
    const w: Watched = { socket, startedAt: 0, received: '' };
    socket.on('data', (c: Buffer) => (w.received += c.toString('latin1')));
    socket.on('error', () => {}); // writes after the server closed: EPIPE/ECONNRESET, expected
    socket.on('close', () => (w.closedAfter = performance.now() - w.startedAt));
    socket.once('connect', () => {
      socket.off('error', reject);
      w.startedAt = performance.now();
      onConnect(w);
      resolve(w);
    });
    socket.once('error', reject);
  });
}

/** Headers of a 100 000-byte .torrent upload, then one byte every 500 ms for ever. */
const slowBody = (port: number) =>
  watch(port, ({ socket }) => {
    socket.write(
      'POST /api/torrents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-bittorrent\r\nContent-Length: 100000\r\n\r\n',
    );
    const drip = setInterval(() => socket.write('d'), 500);
    socket.on('close', () => clearInterval(drip));
  });

/** Half a header line, then nothing. */
const halfHeader = (port: number) =>
  watch(port, ({ socket }) => socket.write('POST /api/torrents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty'));

const portOf = (url: string) => Number(new URL(url).port);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `n` GET /health on fresh connections, `gapMs` apart; every one must answer 200. */
async function healthLatencies(url: string, n: number, gapMs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await request(`${url}/health`);
    out.push(performance.now() - started);
    expect(res.status).toBe(200);
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  return out;
}

describe('slow requests on a real server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      HTTP_REQUEST_TIMEOUT: String(REQUEST_TIMEOUT),
      HTTP_HEADERS_TIMEOUT: String(HEADERS_TIMEOUT),
      // 350 sockets from 127.0.0.1, and 300 adds in a second: no per-address caps here.
      HTTP_MAX_CONNECTIONS_PER_IP: '0',
      RATE_LIMIT_API: '0',
      RATE_LIMIT_ADDS: '0',
    });
    servers.push({ close: () => server.stop() });
  });

  test('300 slow bodies and 50 half headers are closed by the deadlines; /health keeps its latency', async () => {
    const port = portOf(server.url);
    await healthLatencies(server.url, 5, 0); // warm-up
    const before = await healthLatencies(server.url, 20, 0);

    const bodies = await Promise.all(Array.from({ length: 300 }, () => slowBody(port)));
    const halves = await Promise.all(Array.from({ length: 50 }, () => halfHeader(port)));
    // 20 requests spread over the first ~1.5 s, while all 350 hold their sockets.
    const during = await healthLatencies(server.url, 20, 50);

    await waitFor(
      async () => [...bodies, ...halves].every((w) => w.closedAfter !== undefined),
      REQUEST_TIMEOUT + 4000,
      'every slow socket closed',
    );
    const bodyClose = bodies.map((w) => w.closedAfter!);
    const halfClose = halves.map((w) => w.closedAfter!);
    report(
      `/health p50 ${median(before).toFixed(1)} ms before, ${median(during).toFixed(1)} ms during 350 slow sockets; ` +
        `slow bodies closed after ${Math.min(...bodyClose).toFixed(0)}-${Math.max(...bodyClose).toFixed(0)} ms, ` +
        `half headers after ${Math.min(...halfClose).toFixed(0)}-${Math.max(...halfClose).toFixed(0)} ms`,
    );
    expect(median(during)).toBeLessThan(5 * median(before) + 20);
    // Closed by the deadline (not sooner: the clients were sending): a body with Node's 408 or the upload
    // handler's own 400 (its timer, started with the handler, may fire before Node's next check).
    for (const ms of bodyClose) expect(ms).toBeGreaterThan(REQUEST_TIMEOUT - 100);
    for (const ms of bodyClose) expect(ms).toBeLessThan(REQUEST_TIMEOUT + 2000);
    for (const ms of halfClose) expect(ms).toBeGreaterThan(HEADERS_TIMEOUT - 100);
    for (const ms of halfClose) expect(ms).toBeLessThan(HEADERS_TIMEOUT + 2000);
    for (const w of bodies)
      expect(w.received).toMatch(/^HTTP\/1\.1 (408 |400 [\s\S]*The upload did not arrive within 3 s)/);
    for (const w of halves) expect(w.received).toMatch(/^HTTP\/1\.1 408 /);
    report(
      `slow bodies answered: ${bodies.filter((w) => w.received.startsWith('HTTP/1.1 408')).length} by Node's 408, the rest by the handler's 400`,
    );
    // The server is still fine afterwards.
    expect((await request(`${server.url}/health`)).status).toBe(200);
  });

  test('a slow reader of a 24 MiB stream is not cut by the request deadline', async () => {
    swarm = await startSwarm();
    const video = swarm.files[0]!.data;
    const added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
    expect(added.status).toBe(201);
    await waitFor(
      async () => (await json(`${server.url}/api/torrents/${swarm!.infoHash}`)).body.data.status === 'complete',
      30000,
      'download complete',
    );
    // When the server handed its last byte to the OS: later than the deadline means it was still sending.
    let responseFinished = 0;
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (req.url?.startsWith('/stream/proxy/')) res.once('finish', () => (responseFinished = performance.now()));
    };
    server.server.on('request', onRequest);

    const BUDGET = 256 * 1024; // per 100 ms: 2.5 MiB/s, ~10 s for the file
    const chunks: Buffer[] = [];
    const started = performance.now();
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(portOf(server.url), '127.0.0.1');
      open.push(socket);
      let inWindow = 0;
      const tick = setInterval(() => {
        inWindow = 0;
        socket.resume();
      }, 100);
      socket.on('data', (c: Buffer) => {
        chunks.push(c);
        inWindow += c.length;
        if (inWindow >= BUDGET) socket.pause();
      });
      socket.on('end', () => {
        clearInterval(tick);
        resolve(Buffer.concat(chunks));
      });
      socket.on('error', (err) => {
        clearInterval(tick);
        reject(err);
      });
      socket.write(`GET /stream/proxy/${swarm!.infoHash} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    const tookMs = performance.now() - started;
    server.server.off('request', onRequest);

    const headEnd = raw.indexOf('\r\n\r\n');
    expect(raw.subarray(0, headEnd).toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
    const body = raw.subarray(headEnd + 4);
    expect(body.length).toBe(video.length);
    expect(body.equals(video)).toBe(true);
    report(
      `24 MiB read at ${BUDGET / 1024} KiB/100 ms took ${(tookMs / 1000).toFixed(1)} s; the server sent its last byte ` +
        `${((responseFinished - started) / 1000).toFixed(1)} s in (request deadline ${REQUEST_TIMEOUT / 1000} s)`,
    );
    expect(tookMs).toBeGreaterThan(2 * REQUEST_TIMEOUT);
    expect(responseFinished - started).toBeGreaterThan(REQUEST_TIMEOUT + 1000);
  });
});

describe('connections per address on a real server', () => {
  test('the 11th connection from one address is closed at once; closing some lets new ones in', async () => {
    // 127.0.0.1 must not be a trusted proxy here (proxies are not capped): trust only private ranges.
    const server = await startTestServer({ HTTP_MAX_CONNECTIONS_PER_IP: '10', TRUST_PROXY: 'uniquelocal' });
    servers.push({ close: () => server.stop() });
    const port = portOf(server.url);
    // Ten idle keep-alive sockets: each made a request and keeps its connection.
    const idle = await Promise.all(
      Array.from({ length: 10 }, () =>
        watch(port, ({ socket }) => socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')),
      ),
    );
    await waitFor(async () => idle.every((w) => w.received.startsWith('HTTP/1.1 200')), 5000, 'ten answers');

    const eleventh = await watch(port, ({ socket }) => socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    await waitFor(async () => eleventh.closedAfter !== undefined, 2000, 'the 11th closed');
    report(`11th connection closed after ${eleventh.closedAfter!.toFixed(1)} ms`);
    expect(eleventh.closedAfter!).toBeLessThan(500);
    expect(eleventh.received).toBe(''); // destroyed before a byte was read
    await expect(request(`${server.url}/health`)).rejects.toThrow();
    expect(idle.every((w) => w.closedAfter === undefined)).toBe(true);

    for (const w of idle.slice(0, 3)) w.socket.destroy();
    const again = await waitFor(
      async () => request(`${server.url}/health`).catch(() => undefined),
      2000,
      'a new connection accepted',
    );
    expect(again.status).toBe(200);
  });
});

/** A plain http server with applyServerLimits, and the warnings it logged. */
async function limitedServer(limits: Partial<ServerLimits>, handler: http.RequestListener) {
  const full: ServerLimits = {
    requestTimeoutMs: 1000,
    headersTimeoutMs: 1000,
    maxConnectionsPerIp: 0,
    maxConnections: 0,
    ...limits,
  };
  const warnings: unknown[] = [];
  const logger = { warn: (obj: unknown) => warnings.push(obj) } as unknown as Logger;
  const server = http.createServer(serverOptions(full), handler);
  applyServerLimits(server, full, logger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { port: (server.address() as net.AddressInfo).port, warnings };
}

describe('applyServerLimits', () => {
  test('IPv4-mapped IPv6 addresses count as their IPv4 address', () => {
    expect(clientAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(clientAddress('10.1.2.3')).toBe('10.1.2.3');
  });

  test('refused sockets are logged once per address, not once each; exempt addresses are not capped', async () => {
    const capped = await limitedServer({ maxConnectionsPerIp: 2 }, (_req, res) => res.end('ok'));
    const sockets = await Promise.all(Array.from({ length: 6 }, () => watch(capped.port, () => {})));
    await waitFor(async () => sockets.filter((w) => w.closedAfter !== undefined).length === 4, 2000, '4 refused');
    expect(capped.warnings).toEqual([{ address: '127.0.0.1', maxConnectionsPerIp: 2 }]);

    const exempt = await limitedServer({ maxConnectionsPerIp: 2, exempt: () => true }, (_req, res) => res.end('ok'));
    const all = await Promise.all(Array.from({ length: 6 }, () => watch(exempt.port, () => {})));
    await new Promise((r) => setTimeout(r, 200));
    expect(all.every((w) => w.closedAfter === undefined)).toBe(true);
    expect(exempt.warnings).toEqual([]);
  });
});

describe('the upload body deadline (readAddRequest)', () => {
  /** An app whose POST /up records how readAddRequest settled, answering 400 on a DomainError. */
  async function uploadServer(limits: Partial<ServerLimits>, timeoutMs?: number) {
    const settled: { error?: DomainError; value?: unknown }[] = [];
    const app = express();
    app.post('/up', async (req, res) => {
      try {
        const value = await readAddRequest(req, timeoutMs === undefined ? {} : { timeoutMs });
        settled.push({ value });
        res.json({ ok: true });
      } catch (err) {
        settled.push({ error: err as DomainError });
        if (!req.socket.destroyed) res.status(400).json({ message: (err as Error).message });
      }
    });
    return { ...(await limitedServer(limits, app)), settled };
  }

  const multipartHead = (length: number) =>
    'POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=XX\r\n' +
    `Content-Length: ${length}\r\n\r\n` +
    '--XX\r\nContent-Disposition: form-data; name="torrent"; filename="a.torrent"\r\n' +
    'Content-Type: application/x-bittorrent\r\n\r\nd4:info';

  test.each(['raw', 'multipart'])('a %s body that trickles in rejects when Node closes it', async (kind) => {
    const up = await uploadServer({}, 60_000); // only Node's 1 s requestTimeout can end this one
    const w = await watch(up.port, ({ socket }) => {
      socket.write(
        kind === 'raw'
          ? 'POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-bittorrent\r\nContent-Length: 1000\r\n\r\n'
          : multipartHead(1000),
      );
      const drip = setInterval(() => socket.write('e'), 200);
      socket.on('close', () => clearInterval(drip));
    });
    await waitFor(async () => up.settled.length === 1 && w.closedAfter !== undefined, 3000, 'settled and closed');
    expect(up.settled[0]!.error?.code).toBe('INVALID_INPUT');
    expect(up.settled[0]!.error?.message).toBe('The upload did not arrive within 1 s');
    expect(w.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(w.closedAfter!).toBeLessThan(1500);
  });

  test.each(['raw', 'multipart'])('a client leaving mid-%s-upload leaves no pending promise', async (kind) => {
    const up = await uploadServer({ requestTimeoutMs: 60_000, headersTimeoutMs: 60_000 });
    const w = await watch(up.port, ({ socket }) =>
      socket.write(
        kind === 'raw'
          ? 'POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-bittorrent\r\nContent-Length: 1000\r\n\r\nd4:info'
          : multipartHead(1000),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    w.socket.destroy();
    await waitFor(async () => up.settled.length === 1, 2000, 'settled');
    expect(up.settled[0]!.error?.message).toBe('The upload was interrupted by the client');
  });

  test('without a server deadline its own timer answers 400 and closes the connection', async () => {
    const up = await uploadServer({ requestTimeoutMs: 60_000, headersTimeoutMs: 60_000 }, 300);
    const w = await watch(up.port, ({ socket }) => socket.write(multipartHead(1000)));
    await waitFor(async () => w.closedAfter !== undefined, 2000, 'closed');
    expect(w.received).toMatch(/^HTTP\/1\.1 400 [\s\S]*connection: close[\s\S]*did not arrive within 0\.3 s/i);
    expect(up.settled[0]!.error?.code).toBe('INVALID_INPUT');
  });

  test('a form cut off mid-file is a 400, not an uncaught exception', async () => {
    const up = await uploadServer({});
    const head = multipartHead(0);
    const body = head.slice(head.indexOf('\r\n\r\n') + 4);
    const res = await request(`http://127.0.0.1:${up.port}/up`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=XX' },
      body,
    });
    expect(res.status).toBe(400);
    expect(up.settled[0]!.error?.message).toBe('Malformed multipart request: Unexpected end of form');
  });
});
