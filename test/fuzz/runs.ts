import type { Parameters as FcParameters } from 'fast-check';

/**
 * Run size and seed of the property-based fuzz tests in this folder.
 *
 * - `npm test` runs a few hundred cases per property (the default each test passes in).
 * - Nightly: `FUZZ_RUNS=10000 npm test -- test/fuzz`.
 * - The seed is fixed so a failure reproduces; fast-check prints `seed` and `path` when a property
 *   fails, and `FUZZ_SEED=<seed>` (plus the same FUZZ_RUNS) replays that run. `FUZZ_SEED=random`
 *   explores a fresh seed each time.
 * - `FUZZ_STATS=1` prints what the HTTP fuzzer (stream-route.fuzz.test.ts) saw.
 */
export const DEFAULT_FUZZ_SEED = 0x5eed_2024;

export function fuzzRuns(defaultRuns: number): number {
  return positiveInt('FUZZ_RUNS', process.env.FUZZ_RUNS) ?? defaultRuns;
}

export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED?.trim();
  if (raw === undefined || raw === '') return DEFAULT_FUZZ_SEED;
  if (raw === 'random') return (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer or "random", got "${raw}"`);
  return seed | 0;
}

/** `fc.assert` options: the run count, the seed, and the full counterexample in the failure message. */
export function fuzzParameters<T>(defaultRuns: number, extra: FcParameters<T> = {}): FcParameters<T> {
  return { numRuns: fuzzRuns(defaultRuns), seed: fuzzSeed(), verbose: 1, ...extra };
}

/**
 * A jest timeout for a property that spends about `msPerRun` per case: generous, so a slow CI box does
 * not fail the nightly run on time alone, and never below jest's configured 60 s.
 */
export function fuzzTimeout(defaultRuns: number, msPerRun: number): number {
  return Math.max(60_000, Math.ceil(fuzzRuns(defaultRuns) * msPerRun * 3) + 30_000);
}

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}
