import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { COMPILED, linkDistBenchRoot, RESULTS_DIR } from './lib/paths.js';
import { runAgainAsServer, runsAsServer } from './lib/soak-node-flags.js';

// `npm run soak`: SOAK_CLIENTS players doing random range reads and seeks over SOAK_TORRENTS seeded
// torrents for SOAK_MINUTES, every byte checked, our server's RSS and event loop sampled (bench/README.md).
// Exits 1 on any 5xx, corrupt byte, wrong header, short body or RSS growth over 10 % after warm-up.

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`soak: ${name}="${raw}" must be a positive number`);
    process.exit(2);
  }
  return n;
};
const settings = {
  clients: Math.round(num('SOAK_CLIENTS', 100)),
  minutes: num('SOAK_MINUTES', 10),
  torrents: Math.round(num('SOAK_TORRENTS', 5)),
  fileMiB: Math.round(num('SOAK_FILE_MIB', 64)),
  seed: Math.round(num('SOAK_SEED', 20_240_601)),
  rssSampleMs: Math.round(num('SOAK_RSS_SAMPLE_MS', 5000)),
};

// This process is our server: it runs with npm start's node flags and preload (package.json scripts.start),
// or runs itself again with them (`npm run soak`; the memory benchmark passes them already).
if (!runsAsServer()) runAgainAsServer();

if (COMPILED) linkDistBenchRoot(); // before anything imports src/server.ts
const { runSoak } = await import('./lib/soak.js');
const { printSoak } = await import('./lib/soak-print.js');

const HARD_LIMIT_MS = settings.minutes * 60_000 + 5 * 60_000;
const watchdog = setTimeout(() => {
  console.error(`soak: still running ${HARD_LIMIT_MS / 60_000} min after the start; giving up`);
  process.exit(2);
}, HARD_LIMIT_MS);
watchdog.unref();

const began = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`);
log(
  `soak: ${settings.clients} clients, ${settings.minutes} min, ${settings.torrents} torrents x ${settings.fileMiB} MiB, seed ${settings.seed}`,
);
const report = await runSoak({ ...settings, log });
console.log(printSoak(report));

// SOAK_RESULT_FILE: where `npm run bench`'s memory benchmark wants the JSON (it runs this as a child).
const file =
  process.env.SOAK_RESULT_FILE || path.join(RESULTS_DIR, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await mkdir(path.dirname(file), { recursive: true });
await writeFile(
  file,
  `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
);
console.log(`\nresults written to ${path.relative(process.cwd(), file)}`);
if (report.failures.length > 0) {
  console.log(`\nFAIL: ${report.failures.join('; ')}`);
  process.exit(1);
}
console.log('\nPASS');
process.exit(0); // the engine's sockets may hold timers; everything measured is done
