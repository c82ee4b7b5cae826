import { ours, peerflixServer, webtorrentServer, type Contender } from './lib/contenders.js';
import { timedRange } from './lib/net.js';
import type { Seeder } from './lib/seeder.js';
import { median, percentile } from './lib/stats.js';

// Seek into an undownloaded file: every trial uses a fresh server and a fresh download, adds the
// torrent, and as soon as metadata is known asks for 64 KiB at 90 % (or, in its own trial, at 0).
// The 90 % trial then seeks on at once to 50 %, 30 % and 70 %: a player scrubbing while the
// download runs, which is where request pipelines full of other pieces show.

export interface SeekTrial {
  seeder: string;
  contender: string;
  offset: string;
  metadataMs: number;
  firstByteMs: number;
  lastByteMs: number;
  reseekMs: number[];
  error?: string;
}
export interface SeekSummary {
  /** Who seeds: 'webtorrent' (bench/seeder-process.ts) or 'libtorrent' (test/fixtures/libtorrent-swarm.ts). */
  seeder: string;
  contender: string;
  offset: string;
  trials: number;
  failures: number;
  metadataMs: number;
  firstByteMs: number;
  lastByteMs: number;
  addToFirstByteMs: number;
  reseekMedianMs: number;
  reseekMaxMs: number;
}

const RANGE = 64 * 1024;
const RESEEKS = [0.5, 0.3, 0.7];

export interface NamedSeeder {
  name: string;
  seeder: Seeder;
}

export async function seekBench(
  seeders: NamedSeeder[],
  options: { trials: number; withPeerflix: boolean },
): Promise<{ trials: SeekTrial[]; summary: SeekSummary[] }> {
  const contenders: Contender[] = [ours, webtorrentServer, ...(options.withPeerflix ? [peerflixServer] : [])];
  const offsetsOf = (seeder: Seeder) => {
    const at = (fraction: number) => Math.floor(seeder.data.length * fraction);
    return [
      { label: '90%', starts: [at(0.9), ...RESEEKS.map(at)] },
      { label: '0', starts: [0] },
    ];
  };
  const labels = offsetsOf(seeders[0]!.seeder).map((o) => o.label);
  const trials: SeekTrial[] = [];
  // Warm-up, not counted: one 90 % trial per contender and seeder.
  for (const s of seeders)
    for (const contender of contenders) await once(contender, s.seeder, offsetsOf(s.seeder)[0]!.starts);
  // Interleaved (trial-major) so a noisy second hurts every contender alike.
  for (let t = 0; t < options.trials; t++) {
    for (const s of seeders) {
      for (const offset of offsetsOf(s.seeder)) {
        for (const contender of contenders) {
          const trial = await once(contender, s.seeder, offset.starts);
          trials.push({ seeder: s.name, contender: contender.name, offset: offset.label, ...trial });
          process.stdout.write(trial.error ? 'x' : '.');
        }
      }
    }
  }
  process.stdout.write('\n');
  const summary = seeders.flatMap((s) =>
    labels.flatMap((label) =>
      contenders.map((c) => {
        const ok = trials.filter(
          (t) => t.seeder === s.name && t.contender === c.name && t.offset === label && !t.error,
        );
        const reseeks = ok.flatMap((t) => t.reseekMs);
        return {
          seeder: s.name,
          contender: c.name,
          offset: label,
          trials: options.trials,
          failures: options.trials - ok.length,
          metadataMs: median(ok.map((t) => t.metadataMs)),
          firstByteMs: median(ok.map((t) => t.firstByteMs)),
          lastByteMs: median(ok.map((t) => t.lastByteMs)),
          addToFirstByteMs: median(ok.map((t) => t.metadataMs + t.firstByteMs)),
          reseekMedianMs: median(reseeks),
          reseekMaxMs: percentile(reseeks, 100),
        };
      }),
    ),
  );
  return { trials, summary };
}

/** Opens a fresh server, reads 64 KiB at each start in turn (checking the bytes), closes it. */
async function once(
  contender: Contender,
  seeder: Seeder,
  starts: number[],
): Promise<Omit<SeekTrial, 'seeder' | 'contender' | 'offset'>> {
  let opened;
  try {
    opened = await contender.open(seeder);
    const firstByte: number[] = [];
    let lastByteMs = NaN;
    for (const start of starts) {
      const res = await timedRange(opened.url, start, start + RANGE - 1);
      if (res.status !== 206 || !res.body.equals(seeder.data.subarray(start, start + RANGE)))
        throw new Error(`wrong answer at ${start}: status ${res.status}, ${res.body.length} bytes`);
      firstByte.push(res.firstByteMs);
      if (Number.isNaN(lastByteMs)) lastByteMs = res.lastByteMs;
    }
    return { metadataMs: opened.metadataMs, firstByteMs: firstByte[0]!, lastByteMs, reseekMs: firstByte.slice(1) };
  } catch (err) {
    return { metadataMs: NaN, firstByteMs: NaN, lastByteMs: NaN, reseekMs: [], error: (err as Error).message };
  } finally {
    await opened?.close().catch(() => undefined);
  }
}
