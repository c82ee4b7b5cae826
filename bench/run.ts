import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { COMPILED, linkDistBenchRoot, REPO_ROOT, RESULTS_DIR } from './lib/paths.js';

// `npm run bench [-- seek throughput cache-hit cache-index]`: every benchmark compares us with
// anchors measured in this same run, on this machine, and prints ratios (see bench/README.md).

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const settings = {
  fileMiB: num('BENCH_FILE_MIB', 120),
  trials: num('BENCH_TRIALS', 5),
  wrkSeconds: num('BENCH_WRK_SECONDS', 8),
  wrkRounds: num('BENCH_WRK_ROUNDS', 2),
  /** 0: no 1 s wrk warm-up per target (the CI smoke only). */
  wrkWarmup: num('BENCH_WRK_WARMUP', 1),
  connections: num('BENCH_CONNECTIONS', 64),
  hitRequests: num('BENCH_HIT_REQUESTS', 500),
  indexEntries: num('BENCH_INDEX_ENTRIES', 100_000),
  indexOps: num('BENCH_INDEX_OPS', 20_000),
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  memoryTorrents: num('BENCH_MEMORY_TORRENTS', 10),
  memoryFileMiB: num('BENCH_MEMORY_FILE_MIB', 32),
  memoryClients: num('BENCH_MEMORY_CLIENTS', 50),
  memorySeconds: num('BENCH_MEMORY_SECONDS', 45),
  slowPeers: num('BENCH_SLOW_PEERS', 8),
  slowFileMiB: num('BENCH_SLOW_FILE_MIB', 64),
  slowPlaySeconds: num('BENCH_SLOW_PLAY_SECONDS', 20),
  slowTrials: num('BENCH_SLOW_TRIALS', 5),
};
const ALL = ['seek', 'throughput', 'cache-hit', 'cache-index', 'memory', 'slow-swarm'];
const wanted = new Set(process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL);
const HARD_LIMIT_MS = 14 * 60_000;
const unknown = [...wanted].filter((name) => !ALL.includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark(s) ${unknown.join(', ')}; pick from ${ALL.join(', ')}`);
  process.exit(1);
}

if (COMPILED) linkDistBenchRoot(); // before anything imports src/server.ts
const { startSeeder, startLibtorrentSeeder } = await import('./lib/seeder.js');
const { prepareCachedFile } = await import('./lib/cached-file.js');
const { startBareNode, startNginx, startPlainNode, NGINX } = await import('./lib/baselines.js');
const { seekBench } = await import('./seek.bench.js');
const { throughputBench } = await import('./throughput.bench.js');
const { cacheHitBench } = await import('./cache-hit.bench.js');
const { cacheIndexBench } = await import('./cache-index.bench.js');
const { memoryBench } = await import('./memory.bench.js');
const { slowSwarmBench } = await import('./slow-swarm.bench.js');
const { printReport } = await import('./print.js');
type Baseline = Awaited<ReturnType<typeof startPlainNode>>;

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${HARD_LIMIT_MS / 60_000} min; giving up`);
  process.exit(2);
}, HARD_LIMIT_MS);
watchdog.unref();

const began = Date.now();
const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  /** What was measured: the checked-out commit, and whether the tree had changes. */
  commit: spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout?.trim(),
  dirty:
    (spawnSync('git', ['status', '--porcelain', '--', 'src', 'bench', 'test/fixtures'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).stdout ?? '') !== '',
  settings,
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    node: process.version,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
  },
};
const cleanups: Array<() => Promise<unknown>> = [];
const step = (what: string) =>
  process.stdout.write(`[${((Date.now() - began) / 1000).toFixed(0).padStart(3)} s] ${what} `);

try {
  if (wanted.has('seek') || wanted.has('throughput') || wanted.has('cache-hit')) {
    step(`seeding a ${settings.fileMiB} MiB file on loopback...`);
    const data = randomBytes(settings.fileMiB * 1024 * 1024);
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'tss-bench-'));
    cleanups.push(() => rm(tmp, { recursive: true, force: true }));
    await writeFile(path.join(tmp, 'data.bin'), data);
    const seeder = await startSeeder(
      { name: 'Bench', fileName: 'bench-movie.mp4', dataPath: path.join(tmp, 'data.bin') },
      data,
    );
    cleanups.push(() => seeder.stop());
    process.stdout.write('ok\n');

    if (wanted.has('seek')) {
      const seeders = [{ name: 'webtorrent', seeder }];
      step('seek: seeding the same file with libtorrent...');
      try {
        const lt = await startLibtorrentSeeder({ name: 'Bench', fileName: 'bench-movie.mp4' }, data);
        cleanups.push(() => lt.stop());
        seeders.push({ name: 'libtorrent', seeder: lt });
        process.stdout.write('ok\n');
      } catch (err) {
        results.libtorrentSeeder = `failed: ${(err as Error).message.split('\n')[0]}`;
        process.stdout.write(`${results.libtorrentSeeder}\n`);
      }
      step(`seek: ${settings.trials} trials x 2 offsets x 3 servers x ${seeders.length} seeders`);
      results.seek = await seekBench(seeders, { trials: settings.trials, withPeerflix: true });
      for (const s of seeders.slice(1)) await s.seeder.stop(); // throughput and cache-hit need only one
    }
    if (wanted.has('throughput') || wanted.has('cache-hit')) {
      step('downloading the file into our cache...');
      const cached = await prepareCachedFile(seeder);
      cleanups.push(() => cached.server.stop());
      await seeder.stop(); // from here on nothing but the servers measured runs
      process.stdout.write('ok\n');
      const baselines: Baseline[] = [];
      if (existsSync(NGINX)) {
        const nginx = await startNginx(cached.filePath);
        cleanups.push(() => nginx.stop());
        baselines.push(nginx);
      } else {
        results.nginx = 'not installed (apt-get install -y nginx)';
      }
      const plain = await startPlainNode(cached.filePath);
      cleanups.push(() => plain.stop());
      baselines.push(plain);
      if (wanted.has('throughput')) {
        step(
          `throughput: wrk ${settings.connections} connections, ${settings.wrkRounds} rounds of ${settings.wrkSeconds} s per run`,
        );
        const bare = await startBareNode(cached.filePath); // throughput only: this machine's Node ceiling
        cleanups.push(() => bare.stop());
        results.throughput = await throughputBench(cached, [...baselines, bare], {
          seconds: settings.wrkSeconds,
          connections: settings.connections,
          rounds: settings.wrkRounds,
          warmup: settings.wrkWarmup !== 0,
        });
      }
      if (wanted.has('cache-hit')) {
        step(`cache-hit: ${settings.hitRequests} sequential range requests per server...`);
        results.cacheHit = await cacheHitBench(cached, baselines, { requests: settings.hitRequests });
        process.stdout.write('ok\n');
      }
    }
  }
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);

  if (wanted.has('cache-index')) {
    step(`cache-index: ${settings.indexEntries} entries per backend`);
    results.cacheIndex = await cacheIndexBench({
      entries: settings.indexEntries,
      ops: settings.indexOps,
      opSeconds: 3,
      evictFraction: 0.1,
      passBudgetMs: 15_000,
      redisUrl: settings.redisUrl,
    });
  }

  if (wanted.has('memory')) {
    step(
      `memory: our server alone in a soak child, ${settings.memoryTorrents} torrents x ${settings.memoryFileMiB} MiB, ${settings.memoryClients} clients x ${settings.memorySeconds} s...`,
    );
    results.memory = await memoryBench({
      torrents: settings.memoryTorrents,
      fileMiB: settings.memoryFileMiB,
      clients: settings.memoryClients,
      seconds: settings.memorySeconds,
    });
    process.stdout.write('ok\n');
  }

  if (wanted.has('slow-swarm')) {
    step(`slow-swarm: ${settings.slowPeers} seeders in network namespaces, 40 ms RTT, 2 MB/s each...`);
    results.slowSwarm = await slowSwarmBench({
      peers: settings.slowPeers,
      fileMiB: settings.slowFileMiB,
      rttMs: 40,
      rateMbit: 16,
      bitrateMbit: 8,
      playSeconds: settings.slowPlaySeconds,
      trials: settings.slowTrials,
    });
    if ((results.slowSwarm as { skipped?: string }).skipped) process.stdout.write('skipped\n');
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}

results.durationS = (Date.now() - began) / 1000;
console.log(printReport(results));
// A full run (every benchmark, default sizes) writes bench/results/<YYYY-MM-DD>.json, which is
// committed (the README's table comes from one); anything partial gets a timestamped, git-ignored name.
const full =
  process.argv.slice(2).length === 0 &&
  !Object.keys(process.env).some((k) => k.startsWith('BENCH_') && k !== 'BENCH_RESULTS_DIR');
const resultsDir = process.env.BENCH_RESULTS_DIR || RESULTS_DIR;
const file = path.join(
  resultsDir,
  full
    ? `${new Date().toISOString().slice(0, 10)}.json`
    : `partial-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
);
results.full = full;
await mkdir(resultsDir, { recursive: true });
await writeFile(
  file,
  `${JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
);
console.log(
  `\nwhole bench: ${(results.durationS as number).toFixed(0)} s; results written to ${path.relative(process.cwd(), file)}`,
);
process.exit(0); // engines and sockets of the contenders may hold timers; everything measured is done
