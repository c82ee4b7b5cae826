import { readFile } from 'node:fs/promises';
import { timedRange } from './lib/net.js';
import { prng } from './lib/stats.js';

// Child process: the cache-hit client. Kept apart from the servers measured, so that the client's
// own garbage collection never shows up as server latency.
export interface HitRequest {
  url: string;
  filePath: string;
  size: number;
  chunk: number;
  requests: number;
  warmup: number;
  seed: number;
}
export interface HitReply {
  samples: number[];
  failures: number;
}

process.once('message', async (m: HitRequest) => {
  const data = await readFile(m.filePath);
  const next = prng(m.seed); // same offsets for every target
  const samples: number[] = [];
  let failures = 0;
  for (let i = 0; i < m.warmup + m.requests; i++) {
    const start = Math.floor(next() * (m.size / m.chunk)) * m.chunk;
    try {
      const res = await timedRange(m.url, start, start + m.chunk - 1, 10_000);
      if (res.status !== 206 || !res.body.equals(data.subarray(start, start + m.chunk)))
        throw new Error(`status ${res.status}`);
      if (i >= m.warmup) samples.push(res.firstByteMs);
    } catch {
      if (i >= m.warmup) failures++;
    }
  }
  const reply: HitReply = { samples, failures };
  process.send?.(reply, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
