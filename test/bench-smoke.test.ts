import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// A seconds-long `npm run bench` (bench/run.ts from the sources, through test/fixtures/ts-child-loader.mjs,
// which its seeder and client children inherit): a 2 MiB file, one trial, 1 s of wrk. The slow-swarm
// (root, ~2 min) and memory (a ~1 min soak) scenarios are left to the real run. Checks that the
// tables are printed and the JSON holds finite numbers for every contender.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function runBench(env: Record<string, string>, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', path.join(ROOT, 'test/fixtures/ts-child-loader.mjs'), path.join(ROOT, 'bench/run.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

test('npm run bench, seconds-long: tables and a JSON of finite numbers', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tss-bench-smoke-'));
  try {
    const { code, out } = await runBench(
      {
        BENCH_RESULTS_DIR: dir,
        BENCH_FILE_MIB: '2',
        BENCH_TRIALS: '1',
        BENCH_WRK_SECONDS: '1',
        BENCH_WRK_ROUNDS: '1',
        BENCH_WRK_WARMUP: '0',
        BENCH_CONNECTIONS: '8',
        BENCH_HIT_REQUESTS: '20',
      },
      ['seek', 'throughput', 'cache-hit'],
    );
    expect({ code, tail: code === 0 ? '' : out.slice(-3000) }).toEqual({ code: 0, tail: '' });
    for (const title of ['1. Seek into an undownloaded', '2. Cached file under wrk', '3. Cache hit'])
      expect(out).toContain(title);

    const files = await readdir(dir);
    expect(files).toEqual([expect.stringMatching(/^partial-.*\.json$/)]); // never the dated name
    const results = JSON.parse(await readFile(path.join(dir, files[0]!), 'utf8'));
    expect(results.full).toBe(false);

    const seek = results.seek.summary as Array<Record<string, unknown>>;
    // 2 seeders (WebTorrent, libtorrent) x 2 offsets x 3 servers, none failed.
    expect(seek.map((s) => `${s.seeder} ${s.offset} ${s.contender}`).sort()).toEqual(
      ['libtorrent', 'webtorrent']
        .flatMap((seeder) =>
          ['0', '90%'].flatMap((o) => ['ours', 'peerflix', 'webtorrent'].map((c) => `${seeder} ${o} ${c}`)),
        )
        .sort(),
    );
    for (const s of seek) {
      expect(s.failures).toBe(0);
      for (const key of ['metadataMs', 'firstByteMs', 'lastByteMs', 'addToFirstByteMs'])
        expect(finite(s[key])).toBe(true);
    }
    const throughput = results.throughput.summary as Array<Record<string, unknown>>;
    expect(throughput).toHaveLength(2);
    for (const t of throughput)
      for (const key of ['ours', 'nginx', 'plainNode', 'bareNode', 'oursVsNginx']) expect(finite(t[key])).toBe(true);
    const hits = results.cacheHit as Array<Record<string, unknown>>;
    expect(hits.map((h) => h.target)).toEqual(['ours', 'nginx', 'plain node']);
    for (const h of hits) {
      expect(h.failures).toBe(0);
      expect(finite(h.p99Ms)).toBe(true);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
