import { fork } from 'node:child_process';
import type { HitReply, HitRequest } from './hit-client-process.js';
import type { Baseline } from './lib/baselines.js';
import type { CachedFixture } from './lib/cached-file.js';
import { withTimeout } from './lib/net.js';
import { percentile } from './lib/stats.js';
import { benchScript } from './lib/paths.js';

// A player's seeks on a cached file: many sequential 64 KiB range requests at random offsets, each
// on a new connection, timed to the first body byte by a client in its own process. Target: p99 < 10 ms.

export interface CacheHitRow {
  target: string;
  requests: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const CLIENT = benchScript('hit-client-process');

export async function cacheHitBench(
  cached: CachedFixture,
  baselines: Baseline[],
  options: { requests: number },
): Promise<CacheHitRow[]> {
  const targets = [{ name: 'ours', url: cached.url }, ...baselines.map((b) => ({ name: b.name, url: b.url }))];
  const rows: CacheHitRow[] = [];
  for (const target of targets) {
    const request: HitRequest = {
      url: target.url,
      filePath: cached.filePath,
      size: cached.size,
      chunk: 64 * 1024,
      requests: options.requests,
      warmup: 20,
      seed: 42,
    };
    const child = fork(CLIENT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      const reply = await withTimeout(
        new Promise<HitReply>((resolve, reject) => {
          child.once('message', (m: HitReply) => resolve(m));
          child.once('exit', (code) => reject(new Error(`client exited with ${code}`)));
          child.send(request);
        }),
        120_000,
        `cache-hit client for ${target.name}`,
      );
      const s = reply.samples;
      rows.push({
        target: target.name,
        requests: options.requests,
        failures: reply.failures,
        p50Ms: percentile(s, 50),
        p99Ms: percentile(s, 99),
        maxMs: percentile(s, 100),
      });
    } catch (err) {
      rows.push({
        target: target.name,
        requests: options.requests,
        failures: options.requests,
        p50Ms: NaN,
        p99Ms: NaN,
        maxMs: NaN,
      });
      console.error(`cache-hit ${target.name}: ${(err as Error).message}`);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  }
  return rows;
}
