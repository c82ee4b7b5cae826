import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile, prng } from './stats.js';

/** One file to stream: our stream URL and the bytes it must return. */
export interface SoakTarget {
  url: string;
  size: number;
}

export interface SoakClientOptions {
  targets: SoakTarget[];
  clients: number;
  durationMs: number;
  seed: number;
  /** No byte for this long: the request is aborted and counted as a stall. */
  stallMs: number;
  /** After the deadline, requests still running get this long, then they are cut (counted apart, not as errors). */
  graceMs: number;
  /** Bounded ranges are log-uniform in [minRange, maxRange] bytes; open-ended reads stop after as many. */
  minRange: number;
  maxRange: number;
  /** Share of requests that are `bytes=N-`, read for a while and then aborted, like a player's seek. */
  openEndedShare: number;
  /** Share of requests that jump to a random offset; the others continue where the last one stopped. */
  seekShare: number;
  /** Share of requests that switch to another torrent. */
  switchShare: number;
}

export const DEFAULT_CLIENT_SHAPE = {
  stallMs: 10_000,
  graceMs: 15_000,
  minRange: 64 * 1024,
  maxRange: 4 * 1024 * 1024,
  openEndedShare: 0.25,
  seekShare: 0.4,
  switchShare: 0.1,
} as const;

export interface SoakCounters {
  /** Requests sent. */
  requests: number;
  /** Bounded ranges (and open-ended reads that reached the end of the file) received whole and checked. */
  completed: number;
  /** Open-ended reads the client cut on purpose after checking what it read. */
  aborted: number;
  status2xx: number;
  status4xx: number;
  status5xx: number;
  statusOther: number;
  /** Bytes that differ from the fixture. */
  corruptBytes: number;
  corruptRequests: number;
  /** 206 with a Content-Range or Content-Length other than asked for, or a body longer than announced. */
  badHeaders: number;
  /** Body ended before Content-Length. */
  shortBodies: number;
  /** No byte for `stallMs`: aborted. */
  stalls: number;
  /** Connection errors and closes the client did not cause. */
  errors: number;
  /** Still running `graceMs` after the deadline: cut (not a failure). */
  cutAtEnd: number;
  /** Body bytes received and compared. */
  bytes: number;
}

export interface SoakClientResult {
  counters: SoakCounters;
  elapsedMs: number;
  /** ms from sending the request to its first body byte. */
  firstByteMs: { p50: number; p99: number; max: number };
  /** ms from sending a bounded range to its last byte. */
  completeMs: { p50: number; p99: number; max: number };
  /** The clients' own event-loop delay: when it is high, latencies above are partly the clients'. */
  clientEventLoopMs: { p50: number; p99: number; max: number };
  /** X-Stream-Source of the 206 answers (engine / cache). */
  sources: Record<string, number>;
  /** Every problem by kind ("status 503", "stall", "ECONNRESET", ...). */
  problems: Record<string, number>;
  /** The first problems in detail: torrent, range, bytes received, what happened. */
  examples: string[];
}

const newCounters = (): SoakCounters => ({
  requests: 0,
  completed: 0,
  aborted: 0,
  status2xx: 0,
  status4xx: 0,
  status5xx: 0,
  statusOther: 0,
  corruptBytes: 0,
  corruptRequests: 0,
  badHeaders: 0,
  shortBodies: 0,
  stalls: 0,
  errors: 0,
  cutAtEnd: 0,
  bytes: 0,
});

const MAX_EXAMPLES = 20;

/**
 * `clients` concurrent players until the deadline, each on its own keep-alive connection: pick a
 * torrent, seek (or go on where the last read stopped), ask for a random range, compare every byte
 * received with `fixtures[torrent]`. Every loop is seeded (client i always makes the same choices).
 */
export async function runSoakClients(
  options: SoakClientOptions,
  fixtures: Buffer[],
  onProgress?: (counters: SoakCounters, elapsedMs: number) => void,
  progressMs = 5000,
): Promise<SoakClientResult> {
  const o = options;
  const counters = newCounters();
  const firstBytes: number[] = [];
  const completes: number[] = [];
  const sources: Record<string, number> = {};
  const problems: Record<string, number> = {};
  const examples: string[] = [];
  const inFlight = new Set<() => void>();
  const began = Date.now();
  const deadline = began + o.durationMs;

  const problem = (kind: string, detail: string) => {
    problems[kind] = (problems[kind] ?? 0) + 1;
    if (examples.length < MAX_EXAMPLES) examples.push(`+${((Date.now() - began) / 1000).toFixed(1)} s ${detail}`);
  };

  /** One range request; resolves with the number of good bytes read (the next sequential read starts after them). */
  const rangeRequest = (agent: http.Agent, t: number, start: number, end: number, stopAfter: number) =>
    new Promise<number>((resolve) => {
      const target = o.targets[t]!;
      const data = fixtures[t]!;
      const openEnded = Number.isFinite(stopAfter);
      const expected = end - start + 1;
      const range = openEnded ? `bytes=${start}-` : `bytes=${start}-${end}`;
      const what = (received: number) => `torrent ${t} ${range} (${expected} B expected, ${received} B received)`;
      const sent = performance.now();
      let received = 0;
      let settled = false;
      let corruptHere = false;
      counters.requests++;

      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inFlight.delete(cut);
        outcome();
        resolve(received);
      };
      const req = http.request(target.url, { agent, headers: { Range: range } });
      const timer = setTimeout(() => {
        finish(() => {
          counters.stalls++;
          problem('stall', `stall: no byte for ${o.stallMs} ms on ${what(received)}`);
        });
        req.destroy();
      }, o.stallMs);
      const cut = () => {
        finish(() => counters.cutAtEnd++);
        req.destroy();
      };
      inFlight.add(cut);

      req.on('response', (res) => {
        timer.refresh();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) counters.status2xx++;
        else if (status >= 400 && status < 500) counters.status4xx++;
        else if (status >= 500 && status < 600) counters.status5xx++;
        else counters.statusOther++;

        if (status !== 206) {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            if (body.length < 300) body += c;
          });
          res.on('end', () => finish(() => problem(`status ${status}`, `${status} ${body.trim()} on ${what(0)}`)));
          const cutBody = () => finish(() => problem(`status ${status}`, `${status} (body cut) on ${what(0)}`));
          res.on('error', cutBody);
          res.on('close', cutBody);
          return;
        }
        const source = String(res.headers['x-stream-source'] ?? '-');
        sources[source] = (sources[source] ?? 0) + 1;
        const contentRange = res.headers['content-range'];
        const contentLength = res.headers['content-length'];
        if (contentRange !== `bytes ${start}-${end}/${target.size}` || contentLength !== String(expected)) {
          finish(() => {
            counters.badHeaders++;
            problem('bad headers', `Content-Range ${contentRange}, Content-Length ${contentLength} on ${what(0)}`);
          });
          req.destroy();
          return;
        }
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          timer.refresh();
          if (received === 0) firstBytes.push(performance.now() - sent);
          let n = chunk.length;
          if (received + n > expected) {
            counters.badHeaders++;
            problem('body longer than Content-Length', `body longer than Content-Length on ${what(received + n)}`);
            n = expected - received;
          }
          const got = n === chunk.length ? chunk : chunk.subarray(0, n);
          const want = data.subarray(start + received, start + received + n);
          if (!got.equals(want)) {
            let diff = 0;
            let first = -1;
            for (let i = 0; i < n; i++) {
              if (got[i] !== want[i]) {
                diff++;
                if (first < 0) first = i;
              }
            }
            counters.corruptBytes += diff;
            if (!corruptHere) {
              corruptHere = true;
              counters.corruptRequests++;
            }
            problem(
              'corrupt',
              `${diff} corrupt bytes from file offset ${start + received + first} on ${what(received)}`,
            );
          }
          received += n;
          counters.bytes += n;
          if (received >= expected) {
            // Not destroyed: the keep-alive connection goes back to the agent for the next read.
            finish(() => {
              counters.completed++;
              if (!openEnded) completes.push(performance.now() - sent);
            });
          } else if (received >= stopAfter) {
            finish(() => counters.aborted++); // the player seeks away
            req.destroy();
          }
        });
        res.on('end', () =>
          finish(() => {
            counters.shortBodies++;
            problem('short body', `body ended early on ${what(received)}`);
          }),
        );
        const gone = (why: string) => () =>
          finish(() => {
            counters.errors++;
            problem(why, `connection ${why} on ${what(received)}`);
          });
        res.on('error', gone('error mid-body'));
        res.on('close', gone('closed mid-body'));
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        finish(() => {
          counters.errors++;
          problem(err.code ?? err.message, `${err.code ?? ''} ${err.message} on ${what(received)}`);
        }),
      );
      req.end();
    });

  const logUniform = (r: number) => Math.round(o.minRange * Math.pow(o.maxRange / o.minRange, r));

  const client = async (id: number) => {
    const next = prng((o.seed ^ Math.imul(id + 1, 0x85ebca6b)) >>> 0);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let t = Math.floor(next() * o.targets.length);
    let pos = Math.floor(next() * o.targets[t]!.size);
    try {
      while (Date.now() < deadline) {
        if (next() < o.switchShare) t = Math.floor(next() * o.targets.length);
        const size = o.targets[t]!.size;
        if (next() < o.seekShare || pos >= size) pos = Math.floor(next() * size);
        const length = logUniform(next());
        const openEnded = next() < o.openEndedShare;
        const end = openEnded ? size - 1 : Math.min(size - 1, pos + length - 1);
        pos += await rangeRequest(agent, t, pos, end, openEnded ? length : Infinity);
      }
    } finally {
      agent.destroy();
    }
  };

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const progress = onProgress
    ? setInterval(() => onProgress({ ...counters }, Date.now() - began), progressMs)
    : undefined;
  const cutter = setTimeout(() => {
    for (const cut of [...inFlight]) cut();
  }, o.durationMs + o.graceMs);
  try {
    await Promise.all(Array.from({ length: o.clients }, (_, i) => client(i)));
  } finally {
    clearInterval(progress);
    clearTimeout(cutter);
    loop.disable();
  }
  const stats = (v: number[]) => ({ p50: percentile(v, 50), p99: percentile(v, 99), max: percentile(v, 100) });
  return {
    counters,
    elapsedMs: Date.now() - began,
    firstByteMs: stats(firstBytes),
    completeMs: stats(completes),
    clientEventLoopMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    sources,
    problems,
    examples,
  };
}
