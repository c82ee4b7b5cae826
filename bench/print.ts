import type { CacheHitRow } from './cache-hit.bench.js';
import type { IndexRow } from './cache-index.bench.js';
import { MEMORY_TARGETS, withinTargets, type MemoryResult } from './memory.bench.js';
import { fmt, table, x } from './lib/report.js';
import { ratio } from './lib/stats.js';
import type { SeekSummary, SeekTrial } from './seek.bench.js';
import type { SlowSwarmResult } from './slow-swarm.bench.js';
import type { ThroughputRow, ThroughputSummary } from './throughput.bench.js';

// Turns the JSON results into the tables printed at the end of `npm run bench`.

interface Results {
  seek?: { trials: SeekTrial[]; summary: SeekSummary[] };
  throughput?: { rows: ThroughputRow[]; summary: ThroughputSummary[] };
  cacheHit?: CacheHitRow[];
  cacheIndex?: IndexRow[];
  memory?: MemoryResult;
  slowSwarm?: SlowSwarmResult;
  nginx?: string;
  libtorrentSeeder?: string;
}

export function printReport(results: Results): string {
  const out: string[] = [];
  if (results.seek) out.push(seekTable(results.seek.summary, results.seek.trials));
  if (results.throughput) out.push(throughputTables(results.throughput));
  if (results.cacheHit) out.push(cacheHitTable(results.cacheHit));
  if (results.cacheIndex) out.push(...indexTables(results.cacheIndex));
  if (results.memory) out.push(memoryTable(results.memory));
  if (results.slowSwarm) out.push(slowSwarmTable(results.slowSwarm));
  if (results.nginx) out.push(`\nnginx: ${results.nginx}`);
  if (results.libtorrentSeeder) out.push(`\nlibtorrent seeder: ${results.libtorrentSeeder}`);
  return out.join('\n');
}

function seekTable(summary: SeekSummary[], trials: SeekTrial[]): string {
  const oursAt = (seeder: string, offset: string) =>
    summary.find((s) => s.seeder === seeder && s.contender === 'ours' && s.offset === offset);
  const rows = summary.map((s) => {
    const o = oursAt(s.seeder, s.offset);
    const vs = (a: number | undefined, b: number) => (s.contender === 'ours' ? '' : x(ratio(a ?? NaN, b)));
    return [
      `${s.seeder} / ${s.offset} / ${s.contender}`,
      fmt(s.metadataMs, 0),
      fmt(s.firstByteMs, 0),
      fmt(s.lastByteMs, 0),
      fmt(s.addToFirstByteMs, 0),
      `${s.failures}/${s.trials}`,
      vs(o?.firstByteMs, s.firstByteMs),
      fmt(s.reseekMedianMs, 0),
      fmt(s.reseekMaxMs, 0),
      vs(o?.reseekMedianMs, s.reseekMedianMs),
    ];
  });
  const errors = [
    ...new Set(trials.filter((t) => t.error).map((t) => `${t.seeder} seeder, ${t.contender} @${t.offset}: ${t.error}`)),
  ].slice(0, 5);
  return table(
    '1. Seek into an undownloaded 64 KiB range (medians, ms; fresh server + download per trial)',
    [
      'seeder / offset / server',
      'metadata',
      '1st byte',
      'last byte',
      'add->1st',
      'failed',
      'ours/this',
      're-seek',
      're-seek max',
      'ours/this',
    ],
    rows,
    [
      '1st/last byte: from the GET, sent as soon as metadata was known; add->1st adds the metadata wait.',
      're-seek: 64 KiB at 50 %, 30 %, 70 %, requested right after the 90 % read (download still running).',
      'seeder: webtorrent = a WebTorrent client in a child process; libtorrent = libtorrent-rasterbar (Python child, TCP).',
      'ours/this < 1 = we are faster (against the same seeder).',
      ...errors.map((e) => `error: ${e}`),
    ],
  );
}

function throughputTables(t: { rows: ThroughputRow[]; summary: ThroughputSummary[] }): string {
  const summary = table(
    '2. Cached file under wrk (random aligned ranges over the whole file; best of the interleaved rounds)',
    ['ranges', 'unit', 'ours', 'nginx', 'plain node', 'bare node', 'ours/nginx', 'ours/plain node', 'bare/nginx'],
    t.summary.map((s) => [
      s.chunk,
      s.unit,
      fmt(s.ours, 2),
      fmt(s.nginx, 2),
      fmt(s.plainNode, 2),
      fmt(s.bareNode, 2),
      x(s.oursVsNginx),
      x(s.oursVsPlainNode),
      x(s.bareNodeVsNginx),
    ]),
    [
      'bare node: http + one readSync + end, no checks, no headers beyond the range: the most of nginx any',
      'Node server reaches on this machine (not a product; ours/nginx reads against bare/nginx).',
    ],
  );
  const detail = table(
    '   wrk details',
    ['ranges / server / round', 'req/s', 'GB/s', 'p50 ms', 'p99 ms', 'errors'],
    t.rows.map((r) => [
      `${r.chunk} / ${r.target} / ${r.round}`,
      fmt(r.result?.reqPerS, 0),
      fmt(r.result?.gbPerS, 2),
      fmt(r.result?.p50Ms, 1),
      fmt(r.result?.p99Ms, 1),
      r.error ? `failed: ${r.error.slice(0, 60)}` : String((r.result?.errors ?? 0) + (r.result?.statusErrors ?? 0)),
    ]),
  );
  return `${summary}\n${detail}`;
}

function cacheHitTable(rows: CacheHitRow[]): string {
  const ours = rows.find((r) => r.target === 'ours');
  return table(
    '3. Cache hit: first byte of sequential 64 KiB range requests, new connection each (ms)',
    ['server', 'requests', 'failed', 'p50', 'p99', 'max', 'ours/this p99', 'p99 < 10 ms'],
    rows.map((r) => [
      r.target,
      String(r.requests),
      String(r.failures),
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      fmt(r.maxMs, 2),
      r.target === 'ours' ? '' : x(ratio(ours?.p99Ms ?? NaN, r.p99Ms)),
      r.p99Ms < 10 ? 'yes' : 'NO',
    ]),
  );
}

function indexTables(rows: IndexRow[]): string[] {
  const ops = table(
    '4a. Cache index ops/s (one awaited call at a time; fill = 256 in flight)',
    ['backend', 'fill/s', 'get/s', 'touch/s', 'upsert/s', 'totals() ms', 'oldest(500) ms'],
    rows.map((r) =>
      r.error
        ? [r.backend, `failed: ${r.error.slice(0, 70)}`]
        : [
            r.backend,
            fmt(r.fillPerS, 0),
            fmt(r.getPerS, 0),
            fmt(r.touchPerS, 0),
            fmt(r.upsertPerS, 0),
            fmt(r.totalsMs, 3),
            fmt(r.oldest500Ms, 2),
          ],
    ),
  );
  const pass = table(
    '4b. One CacheCleaner.cleanup() over the filled index (limits make ~10 % go; Disk port faked)',
    [
      'backend',
      'to evict',
      'evicted',
      'evict ms',
      'orphan scan ms',
      'pass ms',
      'evicted/s',
      'projected ms',
      'evict < 1 s',
      'idle pass ms',
    ],
    rows
      .filter((r) => !r.error)
      .map((r) => [
        r.backend,
        String(r.pass.toEvict),
        String(r.pass.evicted),
        fmt(r.pass.evictMs, 0),
        fmt(r.pass.orphanScanMs, 0),
        r.pass.complete ? fmt(r.pass.totalMs, 0) : `>${fmt(r.pass.totalMs, 0)} (cut)`,
        fmt(r.pass.evictedPerS, 0),
        fmt(r.pass.projectedMs, 0),
        r.pass.complete && r.pass.evictMs < 1000 ? 'yes' : 'NO',
        fmt(r.pass.idlePassMs, 0),
      ]),
    [
      'projected ms: the eviction phase at the measured pace when the time budget cut the pass short.',
      'evict < 1 s: the target is for eviction; the orphan sweep (forced here) runs once per CACHE_ORPHAN_GRACE, not every pass.',
      "idle pass: a second cleanup() with nothing to evict (what the cron pays every interval); '-' = over budget.",
    ],
  );
  return [ops, pass];
}

function memoryTable(m: MemoryResult): string {
  const ok = withinTargets(m);
  const yes = (v: boolean, value: number) => (Number.isFinite(value) ? (v ? 'yes' : 'NO') : '-');
  const parts = (
    b:
      | { rssMiB: number; heapTotalMiB?: number; heapUsedMiB: number; externalMiB: number; arrayBuffersMiB: number }
      | undefined,
  ) =>
    b
      ? [
          `heap ${fmt(b.heapUsedMiB, 0)}${b.heapTotalMiB === undefined ? '' : `/${fmt(b.heapTotalMiB, 0)}`}`,
          `external ${fmt(b.externalMiB, 0)} (buffers ${fmt(b.arrayBuffersMiB, 0)})`,
          ...(b.heapTotalMiB === undefined ? [] : [`other ${fmt(b.rssMiB - b.heapTotalMiB - b.externalMiB, 0)}`]),
        ].join(', ')
      : '-';
  const s = m.settings;
  return table(
    `5. Memory: our server's RSS (soak child: ${s.torrents} torrents x ${s.fileMiB} MiB, ${s.clients} clients x ${s.seconds} s of random seeks)`,
    ['what', 'RSS MiB', 'target', 'met', 'where (MiB)'],
    m.error
      ? [['failed', m.error.slice(0, 100)]]
      : [
          [
            `${s.torrents} active torrents, no stream`,
            fmt(m.activeTorrentsMiB, 0),
            `< ${MEMORY_TARGETS.activeMiB} MB`,
            yes(ok.active, m.activeTorrentsMiB),
            parts(m.active),
          ],
          [
            `max with ${s.clients} streams`,
            fmt(m.maxStreamsMiB, 0),
            `< ${MEMORY_TARGETS.streamsMiB} MB`,
            yes(ok.streams, m.maxStreamsMiB),
            parts(m.atMax),
          ],
          [
            `10 s after the load (${m.afterVsActivePct >= 0 ? '+' : ''}${fmt(m.afterVsActivePct, 1)} %)`,
            fmt(m.afterLoadMiB, 0),
            `<= +${MEMORY_TARGETS.afterLoadPct} %`,
            yes(ok.afterLoad, m.afterVsActivePct),
            parts(m.afterLoad),
          ],
        ],
    [
      `${m.requests} requests, ${fmt(m.mibPerS, 0)} MiB/s checked byte for byte; 1 MB = 10^6 bytes, RSS in MiB (2^20).`,
      'where: process.memoryUsage() of the server; heap used/total; other = RSS - heap total - external (code, native allocations, stacks).',
      ...m.failures.map((f) => `soak failure: ${f}`),
      ...m.warnings.map((w) => `soak warning: ${w}`),
    ],
  );
}

function slowSwarmTable(r: SlowSwarmResult): string {
  const o = r.settings;
  const title = `6. Slow swarm: ${o.peers} seeders, each in its own network namespace, ${o.rttMs} ms RTT and ${o.rateMbit / 8} MB/s each way per seeder; ${o.fileMiB} MiB file; medians of ${o.trials ?? 1} fresh instances per server (ms)`;
  const headers = [
    'server',
    'metadata',
    '1st byte',
    'add->1st',
    'ours/this',
    'seek 70%',
    'ours/this',
    'play start',
    'rebuffers',
    'stalled ms',
    'longest ms',
    'MiB in',
  ];
  if (r.skipped) return table(title, headers, [[`skipped: ${r.skipped}`]]);
  const oursRow = r.rows.find((row) => row.contender === 'ours');
  const vs = (name: string, a: number | undefined, b: number) => (name === 'ours' ? '' : x(ratio(a ?? NaN, b)));
  return table(
    title,
    headers,
    r.rows.map((row) => {
      const p = row.playback;
      return [
        row.contender,
        fmt(row.metadataMs, 0),
        fmt(row.firstByteMs, 0),
        fmt(row.addToFirstByteMs, 0),
        vs(row.contender, oursRow?.addToFirstByteMs, row.addToFirstByteMs),
        fmt(row.seekMs, 0),
        vs(row.contender, oursRow?.seekMs, row.seekMs),
        fmt(p?.startupMs, 0),
        p ? String(p.rebuffers) : '-',
        fmt(p?.stallMs, 0),
        fmt(p?.longestStallMs, 0),
        fmt(p?.mibReceived, 0),
      ];
    }),
    [
      `shaping: ${r.shaping}. ${r.seedersUp}/${o.peers} seeders had announced. 1st byte: 64 KiB at 0 once metadata is known; seek: 64 KiB at 70 % right after.`,
      `play: GET bytes=0- read by a player consuming ${o.bitrateMbit} Mbit/s for ${o.playSeconds} s from its first byte, at most 8 MiB ahead;`,
      `a rebuffer = it waited over 500 ms for bytes it should already have played (first trial only).`,
      ...r.rows.map(
        (row) =>
          `${row.contender} trials (metadata / 1st byte / seek): ${(row.trials ?? []).map((t) => `${fmt(t.metadataMs, 0)}/${fmt(t.firstByteMs, 0)}/${fmt(t.seekMs, 0)}`).join(', ')}`,
      ),
      ...r.rows.filter((row) => row.error).map((row) => `error: ${row.contender}: ${row.error}`),
    ],
  );
}
