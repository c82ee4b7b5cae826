import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { json, request } from '../../test/fixtures/http.js';
import { startTestServer, type TestServer } from '../../test/fixtures/server.js';
import type { SoakClientMessage, SoakClientRequest } from '../soak-client-process.js';
import { withTimeout } from './net.js';
import { startSeeder } from './seeder.js';
import {
  DEFAULT_CLIENT_SHAPE,
  runSoakClients,
  type SoakClientOptions,
  type SoakClientResult,
  type SoakCounters,
} from './soak-clients.js';
import { soakFileSize, soakFixture, writeSoakFixtureApart } from './soak-fixture.js';
import { median } from './stats.js';
import { benchScript } from './paths.js';

export interface SoakOptions {
  clients: number;
  /** Either; durationMs wins. */
  minutes?: number;
  durationMs?: number;
  torrents: number;
  fileMiB: number;
  seed: number;
  /** RSS and event-loop delay are sampled this often. */
  rssSampleMs: number;
  /** Progress lines (every `progressMs`) and set-up steps; nothing is printed without it. */
  log?: (line: string) => void;
  progressMs?: number;
  /** The first part of the run not counted in the RSS growth (0.2 = the first 20 %). */
  warmupFraction?: number;
  /** RSS growth after warm-up above this fails the run (default 10 %). */
  maxGrowthPct?: number;
  /**
   * Seeders and clients in child processes (bench/seeder-process.ts, bench/soak-client-process.ts),
   * so this process is our server alone and its RSS and event loop are the server's. Default: true
   * when running compiled (npm run soak); false under jest, which runs the TypeScript sources and
   * cannot fork them: then everything shares one process and RSS includes seeders and clients.
   */
  isolate?: boolean;
  /** Request shape (stall limit, range sizes, shares of seeks and open-ended reads). */
  shape?: Partial<typeof DEFAULT_CLIENT_SHAPE>;
  /** Extra environment for our server. */
  env?: Record<string, string>;
}

type Spread = SoakClientResult['firstByteMs'];

export interface RssSample {
  /** ms since the clients started. */
  tMs: number;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  arrayBuffersMiB: number;
  /** Event-loop delay over this sample's interval. */
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  /** Requests sent so far and body MiB/s since the previous sample (as last reported by the clients). */
  requests: number;
  mibPerS: number;
}

export interface SoakReport {
  startedAt: string;
  settings: Required<Pick<SoakOptions, 'clients' | 'torrents' | 'fileMiB' | 'seed' | 'rssSampleMs'>> & {
    durationMs: number;
    warmupFraction: number;
    maxGrowthPct: number;
    shape: typeof DEFAULT_CLIENT_SHAPE;
    serverEnv: Record<string, string>;
  };
  /** 'processes': this process held only our server; 'in-process': seeders and clients were in it too. */
  isolation: 'processes' | 'in-process';
  machine: { cpus: number; cpu: string | undefined; memGiB: number; node: string; os: string };
  setupMs: number;
  /** The clients' own measure, from the first request to the last answer. */
  elapsedMs: number;
  totals: SoakCounters;
  problems: Record<string, number>;
  examples: string[];
  sources: Record<string, number>;
  latencyMs: { firstByte: Spread; complete: Spread };
  throughputMiBps: number;
  rss: {
    samples: RssSample[];
    /** Median of the samples in the second half of the warm-up. */
    warmupMiB: number;
    /** Highest sample after warm-up. */
    maxMiB: number;
    /** Median of the samples in the last 10 % of the run. */
    endMiB: number;
    /** end vs warm-up: what the pass/fail uses. */
    growthPct: number;
    /** max vs warm-up. */
    maxGrowthPct: number;
    /** Least-squares slope of RSS after warm-up. */
    slopeMiBPerMin: number;
    /** The client process's RSS at the end (isolated runs only). */
    clientProcessMiB: number | undefined;
    /** Every torrent added and downloading, no stream open yet (median over a few seconds). */
    activeTorrentsMiB: number;
    /** The same, 10 s after the clients stopped: what the load left behind. */
    afterLoadMiB: number;
    /** process.memoryUsage() (MiB) at the end of each of those two windows: where the RSS sits. */
    activeTorrentsBreakdown: MemoryBreakdown;
    afterLoadBreakdown: MemoryBreakdown;
  };
  eventLoopMs: { p50: number; p99: number; max: number };
  /** The clients' event-loop delay (in-process runs: the same loop as the server's). */
  clientEventLoopMs: { p50: number; p99: number; max: number };
  /** Empty = pass: any 5xx, corrupt byte, bad header or short body, growth over the limit, or no request at all. */
  failures: string[];
  /** Worth a look, not a failure: stalls, connection errors, 4xx. */
  warnings: string[];
}

export interface MemoryBreakdown {
  rssMiB: number;
  heapTotalMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  arrayBuffersMiB: number;
}

const MIB = 2 ** 20;
const toMiB = (bytes: number) => bytes / MIB;
const AFTER_LOAD_SETTLE_MS = 10_000;

function breakdown(): MemoryBreakdown {
  const m = process.memoryUsage();
  return {
    rssMiB: toMiB(m.rss),
    heapTotalMiB: toMiB(m.heapTotal),
    heapUsedMiB: toMiB(m.heapUsed),
    externalMiB: toMiB(m.external),
    arrayBuffersMiB: toMiB(m.arrayBuffers),
  };
}

/** Median RSS of this process (our server, in isolated runs) over `ms`, sampled every 250 ms. */
async function medianRss(ms: number): Promise<{ medianMiB: number; last: MemoryBreakdown }> {
  const values: number[] = [];
  let last = breakdown();
  for (const end = Date.now() + ms; Date.now() < end;) {
    last = breakdown();
    values.push(last.rssMiB);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { medianMiB: median(values), last };
}

const CLIENT_CHILD = benchScript('soak-client-process');
const COMPILED = fileURLToPath(import.meta.url).endsWith('.js');

interface SoakTorrent {
  infoHash: string;
  magnetUri: string;
  size: number;
  stop(): Promise<void>;
}

/**
 * The soak: a loopback swarm of `torrents` seeded files, our real server, `clients` players doing
 * random range reads and seeks for the duration, every byte compared; RSS and event-loop delay of
 * our server sampled throughout. See bench/README.md ("Soak").
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const durationMs = options.durationMs ?? Math.round((options.minutes ?? 10) * 60_000);
  const warmupFraction = options.warmupFraction ?? 0.2;
  const maxGrowthPct = options.maxGrowthPct ?? 10;
  const progressMs = options.progressMs ?? 30_000;
  const isolate = options.isolate ?? COMPILED;
  const shape = { ...DEFAULT_CLIENT_SHAPE, ...options.shape };
  const startedAt = new Date().toISOString();
  const began = Date.now();
  const sizes = Array.from({ length: options.torrents }, (_, i) => soakFileSize(options.fileMiB, i));
  const serverEnv = {
    CACHE_MAX_DISK_MB: String(Math.ceil(options.torrents * options.fileMiB * 2 + 1024)),
    CACHE_CLEANUP_INTERVAL: '60', // the cleaner runs during the soak, with nothing to evict
    TORRENT_MAX_ACTIVE: String(Math.max(20, options.torrents)),
    ...options.env,
  };

  const cleanups: Array<() => Promise<unknown>> = [];
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tss-soak-'));
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  try {
    // 1. The swarm: one tracker + seeding WebTorrent client per torrent (test/fixtures/swarm.ts).
    log(
      `seeding ${options.torrents} x ${options.fileMiB} MiB on loopback (${isolate ? 'child processes' : 'in this process'})...`,
    );
    const inProcessFixtures: Buffer[] = [];
    const torrents: SoakTorrent[] = [];
    for (let i = 0; i < options.torrents; i++) {
      const size = sizes[i]!;
      const name = `Soak ${i}`;
      const fileName = `soak-${i}.mp4`;
      let torrent: SoakTorrent;
      if (isolate) {
        // Built and held by child processes: this process never has the file (the clients regenerate theirs).
        const dataPath = path.join(tmp, `soak-${i}.bin`);
        await writeSoakFixtureApart(options.seed, i, size, dataPath);
        const seeder = await startSeeder({ name, fileName, dataPath }, Buffer.alloc(0));
        torrent = { infoHash: seeder.infoHash, magnetUri: seeder.magnetUri, size, stop: seeder.stop };
      } else {
        // In-process only (jest): imported here so an isolated run does not load the swarm's modules.
        const { startSwarm } = await import('../../test/fixtures/swarm.js');
        const data = soakFixture(options.seed, i, size);
        const swarm = await startSwarm({ name, files: [{ path: fileName, data }] });
        inProcessFixtures.push(data);
        torrent = { infoHash: swarm.infoHash, magnetUri: swarm.magnetUri, size: data.length, stop: swarm.stop };
      }
      torrents.push(torrent);
      cleanups.push(() => torrent.stop());
    }

    // 2. Our real server, handed every torrent through the API.
    log('starting our server and adding the torrents...');
    const server: TestServer = await startTestServer(serverEnv);
    cleanups.push(() => server.stop());
    for (const t of torrents) {
      const added = await withTimeout(
        json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: t.magnetUri } }),
        60_000,
        'POST /api/torrents',
      );
      if (added.status !== 201)
        throw new Error(`POST /api/torrents answered ${added.status}: ${JSON.stringify(added.body)}`);
      const probe = await withTimeout(
        request(`${server.url}/stream/proxy/${t.infoHash}`, { headers: { Range: 'bytes=0-0' } }),
        30_000,
        'the first byte',
      );
      if (probe.status !== 206 || probe.headers['content-range'] !== `bytes 0-0/${t.size}`)
        throw new Error(`probe of ${t.infoHash}: ${probe.status} ${String(probe.headers['content-range'])}`);
    }
    // RSS with every torrent active and no stream (issue 11's "10 active torrents" figure).
    const active = await medianRss(5000);
    const clientOptions: SoakClientOptions = {
      ...shape,
      targets: torrents.map((t) => ({ url: `${server.url}/stream/proxy/${t.infoHash}`, size: t.size })),
      clients: options.clients,
      durationMs,
      seed: options.seed,
    };
    const setupMs = Date.now() - began;

    // 3. The clients, with our server's RSS and event-loop delay sampled alongside.
    let latest: { counters: SoakCounters; elapsedMs: number } | undefined;
    let clientProcessMiB: number | undefined;
    const onProgress = (counters: SoakCounters, elapsedMs: number) => {
      latest = { counters, elapsedMs };
    };
    const clients = isolate
      ? await forkClients(clientOptions, options.seed, (m) => {
          onProgress(m.progress, m.elapsedMs);
          clientProcessMiB = m.rssMiB;
        })
      : { go: () => runSoakClients(clientOptions, inProcessFixtures, onProgress, 1000), stop: async () => undefined };
    cleanups.push(() => clients.stop());

    log(
      `${options.clients} clients over ${options.torrents} torrents for ${(durationMs / 1000).toFixed(0)} s (set-up took ${(setupMs / 1000).toFixed(1)} s)`,
    );
    const sampler = startSampler(options.rssSampleMs, () => latest);
    const progress = setInterval(() => log(progressLine(sampler.samples, latest)), progressMs);
    let result: SoakClientResult & { rssMiB?: number };
    try {
      result = await withTimeout(clients.go(), durationMs + shape.graceMs + 60_000, 'the soak clients');
    } finally {
      clearInterval(progress);
      sampler.stop();
    }
    clientProcessMiB = result.rssMiB ?? clientProcessMiB;
    // Does memory come back once the players are gone?
    await new Promise((resolve) => setTimeout(resolve, AFTER_LOAD_SETTLE_MS));
    const afterLoad = await medianRss(5000);
    log(progressLine(sampler.samples, { counters: result.counters, elapsedMs: result.elapsedMs }));

    const rss = rssSummary(sampler.samples, durationMs, warmupFraction);
    const report: SoakReport = {
      startedAt,
      settings: {
        clients: options.clients,
        torrents: options.torrents,
        fileMiB: options.fileMiB,
        seed: options.seed,
        rssSampleMs: options.rssSampleMs,
        durationMs,
        warmupFraction,
        maxGrowthPct,
        shape,
        serverEnv,
      },
      isolation: isolate ? 'processes' : 'in-process',
      machine: {
        cpus: os.availableParallelism(),
        cpu: os.cpus()[0]?.model,
        memGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        os: `${os.type()} ${os.release()}`,
      },
      setupMs,
      elapsedMs: result.elapsedMs,
      totals: result.counters,
      problems: result.problems,
      examples: result.examples,
      sources: result.sources,
      latencyMs: { firstByte: result.firstByteMs, complete: result.completeMs },
      throughputMiBps: toMiB(result.counters.bytes) / (result.elapsedMs / 1000),
      rss: {
        ...rss,
        samples: sampler.samples,
        clientProcessMiB,
        activeTorrentsMiB: active.medianMiB,
        afterLoadMiB: afterLoad.medianMiB,
        activeTorrentsBreakdown: active.last,
        afterLoadBreakdown: afterLoad.last,
      },
      eventLoopMs: sampler.eventLoop(),
      clientEventLoopMs: result.clientEventLoopMs,
      failures: [],
      warnings: [],
    };
    judge(report);
    return report;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** Forks bench/soak-client-process, waits until its fixtures are built; `go()` starts the clients. */
async function forkClients(
  options: SoakClientOptions,
  fixtureSeed: number,
  onProgress: (m: Extract<SoakClientMessage, { progress: unknown }>) => void,
): Promise<{ go(): Promise<SoakClientResult & { rssMiB: number }>; stop(): Promise<void> }> {
  const child = fork(CLIENT_CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let settle: { resolve(r: SoakClientResult & { rssMiB: number }): void; reject(e: Error): void } | undefined;
  let readyResolve: (() => void) | undefined;
  let failed: Error | undefined;
  const fail = (err: Error) => {
    failed ??= err;
    settle?.reject(err);
  };
  child.on('message', (m: SoakClientMessage) => {
    if ('ready' in m) readyResolve?.();
    else if ('progress' in m) onProgress(m);
    else if ('result' in m) settle?.resolve({ ...m.result, rssMiB: m.rssMiB });
    else fail(new Error(`soak client process: ${m.error}`));
  });
  child.once('exit', (code) => fail(new Error(`soak client process exited with ${code}`)));
  const ready = new Promise<void>((resolve, reject) => {
    readyResolve = resolve;
    child.once('exit', () => reject(failed));
  });
  const request: SoakClientRequest = { options, fixtureSeed, progressMs: 1000 };
  child.send(request);
  await withTimeout(ready, 120_000, 'building the client fixtures');
  return {
    go: () =>
      new Promise((resolve, reject) => {
        if (failed) return reject(failed);
        settle = { resolve, reject };
        child.send('go');
      }),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await withTimeout(exited, 5000, 'stopping the soak clients').catch(() => child.kill('SIGKILL'));
    },
  };
}

const ns = (h: IntervalHistogram, p: number) => h.percentile(p) / 1e6;

function startSampler(everyMs: number, latest: () => { counters: SoakCounters; elapsedMs: number } | undefined) {
  const whole = monitorEventLoopDelay({ resolution: 10 });
  const interval = monitorEventLoopDelay({ resolution: 10 });
  whole.enable();
  interval.enable();
  const began = Date.now();
  const samples: RssSample[] = [];
  let lastBytes = 0;
  let lastAt = began;
  const sample = () => {
    const m = process.memoryUsage();
    const now = Date.now();
    const bytes = latest()?.counters.bytes ?? 0;
    samples.push({
      tMs: now - began,
      rssMiB: toMiB(m.rss),
      heapUsedMiB: toMiB(m.heapUsed),
      externalMiB: toMiB(m.external),
      arrayBuffersMiB: toMiB(m.arrayBuffers),
      eventLoopP99Ms: ns(interval, 99),
      eventLoopMaxMs: interval.max / 1e6,
      requests: latest()?.counters.requests ?? 0,
      mibPerS: toMiB(bytes - lastBytes) / Math.max(0.001, (now - lastAt) / 1000),
    });
    lastBytes = bytes;
    lastAt = now;
    interval.reset();
  };
  const timer = setInterval(sample, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      whole.disable();
      interval.disable();
    },
    eventLoop: () => ({ p50: ns(whole, 50), p99: ns(whole, 99), max: whole.max / 1e6 }),
  };
}

function rssSummary(samples: RssSample[], durationMs: number, warmupFraction: number) {
  const warmEnd = durationMs * warmupFraction;
  const rssOf = (list: RssSample[]) => list.map((s) => s.rssMiB);
  const window = samples.filter((s) => s.tMs > warmEnd / 2 && s.tMs <= warmEnd);
  const lastWarm = samples.filter((s) => s.tMs <= warmEnd).at(-1);
  const warmupMiB = window.length > 0 ? median(rssOf(window)) : (lastWarm?.rssMiB ?? NaN);
  const after = samples.filter((s) => s.tMs > warmEnd && s.tMs <= durationMs);
  const endWindow = after.filter((s) => s.tMs >= durationMs * 0.9);
  const endMiB = median(rssOf(endWindow.length > 0 ? endWindow : after.slice(-1)));
  const maxMiB = Math.max(...rssOf(after));
  return {
    warmupMiB,
    maxMiB,
    endMiB,
    growthPct: ((endMiB - warmupMiB) / warmupMiB) * 100,
    maxGrowthPct: ((maxMiB - warmupMiB) / warmupMiB) * 100,
    slopeMiBPerMin: slope(after.map((s) => [s.tMs / 60_000, s.rssMiB] as const)),
  };
}

function slope(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? NaN : sxy / sxx;
}

function judge(r: SoakReport): void {
  const t = r.totals;
  const f = r.failures;
  if (t.requests === 0) f.push('no request was made');
  if (t.status5xx > 0) f.push(`${t.status5xx} answers 5xx`);
  if (t.corruptBytes > 0) f.push(`${t.corruptBytes} corrupt bytes in ${t.corruptRequests} answers`);
  if (t.badHeaders > 0) f.push(`${t.badHeaders} answers with a wrong Content-Range/Content-Length or body length`);
  if (t.shortBodies > 0) f.push(`${t.shortBodies} bodies shorter than their Content-Length`);
  if (!Number.isFinite(r.rss.growthPct)) f.push('too few RSS samples to measure growth');
  else if (r.rss.growthPct > r.settings.maxGrowthPct)
    f.push(`RSS grew ${r.rss.growthPct.toFixed(1)} % after warm-up (limit ${r.settings.maxGrowthPct} %)`);
  const w = r.warnings;
  if (t.stalls > 0) w.push(`${t.stalls} stalls (no byte for ${r.settings.shape.stallMs} ms)`);
  if (t.errors > 0) w.push(`${t.errors} connection errors`);
  if (t.status4xx > 0) w.push(`${t.status4xx} answers 4xx`);
  if (t.statusOther > 0) w.push(`${t.statusOther} answers neither 2xx, 4xx nor 5xx`);
  if (r.isolation === 'in-process') w.push('in-process run: RSS and event-loop delay include the seeders and clients');
}

function progressLine(samples: RssSample[], latest: { counters: SoakCounters; elapsedMs: number } | undefined): string {
  const c = latest?.counters;
  const s = samples.at(-1);
  const n = (v: number | undefined, d = 0) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
  return [
    `t+${n((latest?.elapsedMs ?? 0) / 1000)} s:`,
    `requests ${c?.requests ?? 0}`,
    `(2xx ${c?.status2xx ?? 0}, 4xx ${c?.status4xx ?? 0}, 5xx ${c?.status5xx ?? 0})`,
    `corrupt ${c?.corruptBytes ?? 0}`,
    `stalls ${c?.stalls ?? 0}`,
    `errors ${(c?.errors ?? 0) + (c?.shortBodies ?? 0) + (c?.badHeaders ?? 0)}`,
    `| ${n(s?.mibPerS)} MiB/s`,
    `| rss ${n(s?.rssMiB)} MiB, heap ${n(s?.heapUsedMiB)} MiB`,
    `| loop p99 ${n(s?.eventLoopP99Ms, 1)} ms`,
  ].join(' ');
}
