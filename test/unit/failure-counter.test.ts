import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import type { ClientRateLimitInfo, Store } from 'express-rate-limit';
import { memoryCounter, storeCounter } from '../../src/http/middleware/failure-counter.js';
import { failedAuthLimit } from '../../src/http/middleware/rate-limit.js';
import { request, type RawResponse } from '../fixtures/http.js';

// The wrong-token limiter (failedAuthLimit over a FailureCounter) in front of a real Express app on
// port 0: only real 401s count, the limit answers 429 with Retry-After, a store that cannot be reached
// lets requests through, a shared store counts for every app using it, and the memory counter is bounded.
const LIMIT = 5;
const RIGHT = 'Bearer right-token-0123456789';
const WRONG = 'Bearer wrong-token-0123456789';
const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** An app behind `guards` with a token check (401 unless RIGHT), routes of any status and a stream that never ends. */
async function startApp(guards: RequestHandler[]): Promise<string> {
  const app = express();
  app.set('trust proxy', true); // X-Forwarded-For names the address, so one test can speak for several
  app.use(guards);
  app.get('/api', (req, res) => {
    if (req.headers.authorization === RIGHT) res.json({ success: true });
    else res.status(401).json({ success: false, error: { code: 'UNAUTHORIZED', message: 'wrong token' } });
  });
  app.get('/answer/:status', (req, res) => {
    res.status(Number(req.params.status)).json({ success: false });
  });
  app.get('/stream', (_req, res) => {
    res.status(206).setHeader('Content-Type', 'video/mp4');
    res.write(Buffer.alloc(64 * 1024)); // and never ends: the client leaves, as a player's seek does
  });
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const from = (address: string, token?: string): Record<string, string> => ({
  'X-Forwarded-For': address,
  ...(token ? { Authorization: token } : {}),
});
const wrong = (url: string, address: string) => request(`${url}/api`, { headers: from(address, WRONG) });
const right = (url: string, address: string) => request(`${url}/api`, { headers: from(address, RIGHT) });
const errorOf = (res: RawResponse) =>
  (JSON.parse(res.body.toString('utf8')) as { error: { code: string; message: string } }).error;

/** Opens a stream, waits for its head and leaves mid-body: the response never finishes. */
function abandonedStream(url: string, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/stream`, { headers: { ...from(address), Range: 'bytes=0-' } }, (res) => {
      res.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

type Hits = ClientRateLimitInfo & { resetTime: Date };

/** express-rate-limit's Store over a Map: what Redis is for a cluster, shared by every app given it. */
class SharedStore implements Store {
  readonly hits = new Map<string, Hits>();
  constructor(private readonly windowMs: number) {}

  get(key: string): Hits | undefined {
    const entry = this.hits.get(key);
    return entry && entry.resetTime.getTime() > Date.now() ? entry : undefined;
  }

  increment(key: string): Hits {
    const entry = this.get(key) ?? { totalHits: 0, resetTime: new Date(Date.now() + this.windowMs) };
    entry.totalHits++;
    this.hits.set(key, entry);
    return entry;
  }

  decrement(key: string): void {
    const entry = this.hits.get(key);
    if (entry) entry.totalHits = Math.max(0, entry.totalHits - 1);
  }

  resetKey(key: string): void {
    this.hits.delete(key);
  }
}

/** A Store whose backend is unreachable: every call rejects, as a client does with Redis down. */
class UnreachableStore implements Store {
  readonly calls = { get: 0, increment: 0 };

  async get(): Promise<ClientRateLimitInfo | undefined> {
    this.calls.get++;
    throw new Error('connect ECONNREFUSED');
  }

  async increment(): Promise<ClientRateLimitInfo> {
    this.calls.increment++;
    throw new Error('connect ECONNREFUSED');
  }

  async decrement(): Promise<void> {
    throw new Error('connect ECONNREFUSED');
  }

  async resetKey(): Promise<void> {
    throw new Error('connect ECONNREFUSED');
  }
}

describe('failedAuthLimit', () => {
  test('only answers that really were 401 count: successes, other errors and abandoned streams do not', async () => {
    const url = await startApp(failedAuthLimit(LIMIT));
    const address = '198.51.100.7';
    // Far more than LIMIT answers of every other kind, from the address that will send wrong tokens.
    for (let i = 0; i < LIMIT * 2; i++) {
      expect((await right(url, address)).status).toBe(200);
      for (const status of [400, 403, 404, 429, 500]) {
        expect((await request(`${url}/answer/${status}`, { headers: from(address) })).status).toBe(status);
      }
      expect(await abandonedStream(url, address)).toBe(206);
    }
    // None of those counted: LIMIT - 1 wrong tokens still leave the address served...
    for (let i = 0; i < LIMIT - 1; i++) expect((await wrong(url, address)).status).toBe(401);
    expect((await right(url, address)).status).toBe(200);
    // ...and the LIMIT-th wrong token is answered too; only then is the address turned away.
    expect((await wrong(url, address)).status).toBe(401);
    expect((await right(url, address)).status).toBe(429);
  });

  test('after LIMIT wrong tokens from an address its next request is 429 with Retry-After and the message', async () => {
    const url = await startApp(failedAuthLimit(LIMIT));
    const guesser = '203.0.113.5';
    for (let i = 0; i < LIMIT; i++) expect((await wrong(url, guesser)).status).toBe(401);

    for (const next of [await wrong(url, guesser), await right(url, guesser)]) {
      expect(next.status).toBe(429);
      const retryAfter = Number(next.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60); // the memory counter's window is a minute
      expect(errorOf(next)).toEqual({
        code: 'RATE_LIMITED',
        message: `Too many requests with a wrong token from this address; try again in ${retryAfter} s`,
      });
    }
    // Counted per address: another one is untouched.
    expect((await wrong(url, '203.0.113.6')).status).toBe(401);
    expect((await right(url, '203.0.113.6')).status).toBe(200);
  });

  test('a store that cannot be reached lets every request through (fails open)', async () => {
    const store = new UnreachableStore();
    const url = await startApp(failedAuthLimit(LIMIT, store));
    const address = '192.0.2.44';
    for (let i = 0; i < LIMIT * 3; i++) expect((await wrong(url, address)).status).toBe(401);
    expect((await right(url, address)).status).toBe(200);
    // The store was asked every time, and its every failure was swallowed (a rejection would fail the run).
    expect(store.calls.get).toBe(LIMIT * 3 + 1);
    expect(store.calls.increment).toBe(LIMIT * 3);
  });

  test('a store shared by two apps counts the wrong tokens sent to either, with its own window', async () => {
    const store = new SharedStore(30_000);
    const first = await startApp(failedAuthLimit(LIMIT, store));
    const second = await startApp(failedAuthLimit(LIMIT, store));
    const guesser = '198.51.100.200';
    for (let i = 0; i < LIMIT; i++) expect((await wrong(i % 2 ? first : second, guesser)).status).toBe(401);
    expect(store.hits.get(guesser)?.totalHits).toBe(LIMIT);

    for (const url of [first, second]) {
      const next = await right(url, guesser);
      expect(next.status).toBe(429);
      const retryAfter = Number(next.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(30); // the store's reset time, not the memory counter's minute
      expect(errorOf(next).message).toBe(
        `Too many requests with a wrong token from this address; try again in ${retryAfter} s`,
      );
    }

    // The same traffic to two apps counting in memory: each saw fewer than LIMIT, neither turns it away.
    const alone = [await startApp(failedAuthLimit(LIMIT)), await startApp(failedAuthLimit(LIMIT))];
    for (let i = 0; i < LIMIT; i++) expect((await wrong(alone[i % 2]!, guesser)).status).toBe(401);
    for (const url of alone) expect((await right(url, guesser)).status).toBe(200);
  });

  test('a limit of 0 adds no middleware', () => {
    expect(failedAuthLimit(0)).toEqual([]);
    expect(failedAuthLimit(0, new SharedStore(1000))).toEqual([]);
  });
});

describe('memoryCounter', () => {
  test('counts a key within its window and starts a new one after it', async () => {
    const counter = memoryCounter(100);
    expect(await counter.get('a')).toBeUndefined();
    const before = Date.now();
    await counter.increment('a');
    await counter.increment('a');
    const seen = await counter.get('a');
    expect(seen?.count).toBe(2);
    expect(seen!.resetAt).toBeGreaterThanOrEqual(before + 100);
    expect(seen!.resetAt).toBeLessThanOrEqual(Date.now() + 100);

    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await counter.get('a')).toBeUndefined();
    await counter.increment('a');
    expect((await counter.get('a'))?.count).toBe(1);
  });

  test('stays bounded: past 10k keys it forgets them all at once', async () => {
    const counter = memoryCounter(60_000);
    await counter.increment('first');
    for (let i = 1; i < 10_000; i++) await counter.increment(`spray-${i}`);
    // 10k keys are kept: 'first' still counts.
    expect((await counter.get('first'))?.count).toBe(1);
    await counter.increment('spray-10000');
    await counter.increment('spray-10001');
    // Above 10k the map was cleared: the old keys are gone, the newest starts over.
    expect(await counter.get('first')).toBeUndefined();
    expect(await counter.get('spray-5000')).toBeUndefined();
    expect((await counter.get('spray-10001'))?.count).toBe(1);
  });
});

describe('storeCounter', () => {
  test("reads the store's count and reset time, and increments through it", async () => {
    const store = new SharedStore(45_000);
    const counter = storeCounter(store, 60_000);
    expect(await counter.get('k')).toBeUndefined();
    await counter.increment('k');
    await counter.increment('k');
    const seen = await counter.get('k');
    expect(seen).toEqual({ count: 2, resetAt: store.hits.get('k')!.resetTime.getTime() });
  });

  test('tells the store its window, and refuses a store that cannot read counts back', () => {
    const told: number[] = [];
    const store = Object.assign(new SharedStore(45_000), {
      init: (o: { windowMs: number }) => void told.push(o.windowMs),
    });
    storeCounter(store, 60_000);
    expect(told).toEqual([60_000]);
    const blind: Store = { increment: () => ({ totalHits: 1, resetTime: undefined }), decrement() {}, resetKey() {} };
    expect(() => storeCounter(blind, 60_000)).toThrow(/can read its counts/);
  });
});
