import { readFile } from 'node:fs/promises';
import type { Baseline } from './lib/baselines.js';
import type { CachedFixture } from './lib/cached-file.js';
import { ratio } from './lib/stats.js';
import { runWrk, type WrkResult } from './lib/wrk.js';

// A finished file in our cache, hammered by wrk with random aligned ranges, next to nginx and a
// plain Node server serving the very same file. Page cache is warm for all (read once before).
// Rounds are interleaved (ours, nginx, node, ours, ...) and the best round of each counts: on a
// 2-core machine a run can lose a core to anything, and the best run is the least disturbed one.

export interface ThroughputRow {
  target: string;
  chunk: string;
  round: number;
  result?: WrkResult;
  error?: string;
}
export interface ThroughputSummary {
  chunk: string;
  ours: number;
  nginx: number;
  plainNode: number;
  /** The least a Node process does per range here (baselines.ts startBareNode): this machine's Node ceiling. */
  bareNode: number;
  unit: string;
  oursVsNginx: number;
  oursVsPlainNode: number;
  bareNodeVsNginx: number;
}

const SIZES = [
  { label: '1 MiB', bytes: 1024 * 1024, unit: 'GB/s' },
  { label: '64 KiB', bytes: 64 * 1024, unit: 'req/s' },
] as const;

export async function throughputBench(
  cached: CachedFixture,
  baselines: Baseline[],
  options: { seconds: number; connections: number; rounds: number; warmup?: boolean },
): Promise<{ rows: ThroughputRow[]; summary: ThroughputSummary[] }> {
  await readFile(cached.filePath); // warm the page cache once for everybody
  const targets = [{ name: 'ours', url: cached.url }, ...baselines.map((b) => ({ name: b.name, url: b.url }))];
  const rows: ThroughputRow[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const size of SIZES) {
      for (const target of targets) {
        const wrk = { size: cached.size, chunk: size.bytes, connections: options.connections, threads: 2 };
        try {
          if (options.warmup !== false) await runWrk(target.url, { ...wrk, seconds: 1 }); // warm-up: JIT, sockets, caches
          rows.push({
            target: target.name,
            chunk: size.label,
            round,
            result: await runWrk(target.url, { ...wrk, seconds: options.seconds }),
          });
        } catch (err) {
          rows.push({ target: target.name, chunk: size.label, round, error: (err as Error).message });
        }
        process.stdout.write('.');
      }
    }
  }
  process.stdout.write('\n');
  const best = (target: string, chunk: string, unit: string) => {
    const clean = rows.filter(
      (r) => r.target === target && r.chunk === chunk && r.result && r.result.errors + r.result.statusErrors === 0,
    );
    return clean.length === 0
      ? NaN
      : Math.max(...clean.map((r) => (unit === 'GB/s' ? r.result!.gbPerS : r.result!.reqPerS)));
  };
  const summary = SIZES.map((s) => {
    const [ours, nginx, plainNode, bareNode] = ['ours', 'nginx', 'plain node', 'bare node'].map((t) =>
      best(t, s.label, s.unit),
    ) as [number, number, number, number];
    return {
      chunk: s.label,
      unit: s.unit,
      ours,
      nginx,
      plainNode,
      bareNode,
      oursVsNginx: ratio(ours, nginx),
      oursVsPlainNode: ratio(ours, plainNode),
      bareNodeVsNginx: ratio(bareNode, nginx),
    };
  });
  return { rows, summary };
}
