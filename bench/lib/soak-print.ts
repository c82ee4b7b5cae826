import { fmt, table } from './report.js';
import type { SoakReport } from './soak.js';

/** The soak's final tables: totals, latency, RSS over time, verdict. */
export function printSoak(r: SoakReport): string {
  const t = r.totals;
  const s = r.settings;
  const out: string[] = [];
  out.push(
    table(
      `Soak: ${s.clients} clients x ${fmt(r.elapsedMs / 1000, 0)} s over ${s.torrents} torrents of ${s.fileMiB} MiB (seed ${s.seed}, ${r.isolation}; ${r.machine.cpus} cores, ${r.machine.memGiB} GiB, node ${r.machine.node})`,
      ['what', 'value'],
      [
        ['requests', String(t.requests)],
        ['  completed / aborted on purpose / cut at the end', `${t.completed} / ${t.aborted} / ${t.cutAtEnd}`],
        ['  2xx / 4xx / 5xx / other', `${t.status2xx} / ${t.status4xx} / ${t.status5xx} / ${t.statusOther}`],
        ['corrupt bytes (answers)', `${t.corruptBytes} (${t.corruptRequests})`],
        ['bad headers / short bodies', `${t.badHeaders} / ${t.shortBodies}`],
        [`stalls (no byte for ${s.shape.stallMs / 1000} s)`, String(t.stalls)],
        ['connection errors', String(t.errors)],
        ['bytes checked', `${fmt(t.bytes / 2 ** 30, 2)} GiB (${fmt(r.throughputMiBps, 0)} MiB/s)`],
        [
          '206 by source',
          Object.entries(r.sources)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || '-',
        ],
        [
          'first byte p50 / p99 / max',
          `${fmt(r.latencyMs.firstByte.p50)} / ${fmt(r.latencyMs.firstByte.p99)} / ${fmt(r.latencyMs.firstByte.max)} ms`,
        ],
        [
          'whole bounded range p50 / p99 / max',
          `${fmt(r.latencyMs.complete.p50)} / ${fmt(r.latencyMs.complete.p99)} / ${fmt(r.latencyMs.complete.max)} ms`,
        ],
        [
          'server RSS warm-up -> max -> end',
          `${fmt(r.rss.warmupMiB, 0)} -> ${fmt(r.rss.maxMiB, 0)} -> ${fmt(r.rss.endMiB, 0)} MiB`,
        ],
        [
          'RSS growth end / max vs warm-up',
          `${fmt(r.rss.growthPct)} % / ${fmt(r.rss.maxGrowthPct)} % (slope ${fmt(r.rss.slopeMiBPerMin, 2)} MiB/min)`,
        ],
        [
          'server event-loop delay p50 / p99 / max',
          `${fmt(r.eventLoopMs.p50)} / ${fmt(r.eventLoopMs.p99)} / ${fmt(r.eventLoopMs.max)} ms`,
        ],
        [
          'client event-loop delay p50 / p99 / max',
          `${fmt(r.clientEventLoopMs.p50)} / ${fmt(r.clientEventLoopMs.p99)} / ${fmt(r.clientEventLoopMs.max)} ms`,
        ],
        [
          'RSS: torrents active, no stream -> after the load',
          `${fmt(r.rss.activeTorrentsMiB, 0)} -> ${fmt(r.rss.afterLoadMiB, 0)} MiB (${fmt((r.rss.afterLoadMiB / r.rss.activeTorrentsMiB - 1) * 100)} %)`,
        ],
        ['client process RSS at the end', r.rss.clientProcessMiB ? `${fmt(r.rss.clientProcessMiB, 0)} MiB` : '-'],
      ],
      [
        `warm-up = the first ${s.warmupFraction * 100} % of the run (its second half's median); end = median of the last 10 %`,
      ],
    ),
  );
  const samples = r.rss.samples;
  const every = Math.max(1, Math.ceil(samples.length / 20)); // about 20 rows
  out.push(
    table(
      'Server over time',
      ['t s', 'rss MiB', 'heap MiB', 'arrayBuffers MiB', 'loop p99 ms', 'loop max ms', 'requests', 'MiB/s'],
      samples
        .filter((_, i) => i % every === 0 || i === samples.length - 1)
        .map((x) => [
          fmt(x.tMs / 1000, 0),
          fmt(x.rssMiB, 0),
          fmt(x.heapUsedMiB, 0),
          fmt(x.arrayBuffersMiB, 0),
          fmt(x.eventLoopP99Ms),
          fmt(x.eventLoopMaxMs),
          String(x.requests),
          fmt(x.mibPerS, 0),
        ]),
    ),
  );
  const problems = Object.entries(r.problems);
  if (problems.length > 0) {
    out.push(
      table(
        'Problems',
        ['kind', 'count'],
        problems.map(([k, v]) => [k, String(v)]),
        r.examples,
      ),
    );
  }
  if (r.warnings.length > 0) out.push(`\nwarnings: ${r.warnings.join('; ')}`);
  return out.join('\n');
}
