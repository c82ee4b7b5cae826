import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { PeerHttpReader } from '../../src/adapters/peer-http-reader.js';
import { DomainError } from '../../src/domain/errors.js';
import { freePort } from '../fixtures/redis-server.js';

// The internal hop of a cluster against a real HTTP server standing in for the holder node: exactly the
// asked bytes, or an UPSTREAM_ERROR (never wrong bytes passed on as if they were the file).
const HASH = 'd'.repeat(40);
const file = randomBytes(64 * 1024);
let server: http.Server;
let base: string;
let seen: http.IncomingHttpHeaders[] = [];
let behaviour: 'honest' | 'wrong-range' | 'short' | 'status-500' = 'honest';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const match = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range));
    const start = Number(match?.[1]);
    const end = Number(match?.[2]);
    if (behaviour === 'status-500') {
      res.writeHead(500).end('{}');
      return;
    }
    const from = behaviour === 'wrong-range' ? start + 1 : start;
    const body = file.subarray(from, end + 1);
    res.writeHead(206, {
      'content-range': `bytes ${from}-${end}/${file.length}`,
      'content-length': String(end - start + 1),
    });
    if (behaviour === 'short') {
      // The holder dies mid-body, once its head and the first bytes are out.
      res.write(body.subarray(0, 100), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  behaviour = 'honest';
});

const reader = new PeerHttpReader({ node: 'node-b', apiToken: 'cluster-token' });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );

test('asks the holder for exactly the range, authenticated and marked as a hop, and passes the bytes on', async () => {
  const bytes = await buffer(reader.open(base, HASH, 2, { start: 1000, end: 40_999 }));
  expect(Buffer.from(bytes).equals(file.subarray(1000, 41_000))).toBe(true);
  expect(seen[0]).toMatchObject({
    range: 'bytes=1000-40999',
    authorization: 'Bearer cluster-token',
    'x-cluster-hop': 'node-b',
  });
});

test.each([
  ['wrong-range', /answered 206 instead of bytes 10-19/],
  ['status-500', /answered 500/],
  ['short', /stopped sending/],
] as const)('a holder answering %s is an UPSTREAM_ERROR', async (kind, message) => {
  behaviour = kind;
  const end = kind === 'short' ? 50_000 : 19;
  const err = await failure(buffer(reader.open(base, HASH, 0, { start: 10, end })));
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe('UPSTREAM_ERROR');
  expect((err as Error).message).toMatch(message);
});

test('a holder that is gone is an UPSTREAM_ERROR naming it', async () => {
  const port = await freePort(); // nothing listens there any more
  const err = await failure(buffer(reader.open(`http://127.0.0.1:${port}`, HASH, 0, { start: 0, end: 9 })));
  expect((err as DomainError).code).toBe('UPSTREAM_ERROR');
  expect((err as Error).message).toContain(`127.0.0.1:${port}`);
});
