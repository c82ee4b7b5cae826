import net from 'node:net';
import { request, type RawResponse } from '../../test/fixtures/http.js';

/** A TCP port free on 127.0.0.1 right now (for servers that cannot listen on port 0 themselves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Rejects after `ms`; the bench never waits on anything unbounded. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: ${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface TimedRange {
  status: number;
  body: Buffer;
  headers: RawResponse['headers'];
  firstByteMs: number;
  lastByteMs: number;
}

/** GET `bytes=start-end` on a fresh connection (test/fixtures/http.ts), timed to first and last byte. */
export async function timedRange(url: string, start: number, end: number, timeoutMs = 30_000): Promise<TimedRange> {
  const began = performance.now();
  const res = await withTimeout(request(url, { headers: { Range: `bytes=${start}-${end}` } }), timeoutMs, `GET ${url}`);
  return {
    status: res.status,
    body: res.body,
    headers: res.headers,
    firstByteMs: res.firstByteMs,
    lastByteMs: performance.now() - began,
  };
}
