/** Small statistics over samples (ms, ops/s...). Empty input gives NaN, never a throw. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: number[]): number => percentile(values, 50);

/** ours / theirs, rounded; NaN when either side is missing. */
export function ratio(ours: number, theirs: number): number {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs === 0) return NaN;
  return ours / theirs;
}

/** A deterministic PRNG (mulberry32, shared with the tests) so every target gets the same "random" offsets. */
export { seededRandom as prng } from '../../test/fixtures/random.js';
