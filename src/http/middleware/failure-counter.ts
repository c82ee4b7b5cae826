import type { Options, Store } from 'express-rate-limit';

/** Keys past this many are dropped at once: bounded memory under a spray of addresses. */
const MEMORY_KEY_LIMIT = 10_000;

/** A count per key within a window that starts at the key's first hit. */
export interface FailureCount {
  count: number;
  /** When the window ends (ms since the epoch). */
  resetAt: number;
}

/** Where the wrong-token limiter counts: this process's memory, or a store every instance shares. */
export interface FailureCounter {
  /** The key's count in its current window; undefined when it has none (or the store cannot tell). */
  get(key: string): Promise<FailureCount | undefined>;
  /** One more for the key; a new window starts when it has none. */
  increment(key: string): Promise<void>;
}

/** Counts in a Map of this process: windows of `windowMs`, cleared above 10k keys. */
export function memoryCounter(windowMs: number): FailureCounter {
  const counts = new Map<string, FailureCount>();
  return {
    async get(key) {
      const seen = counts.get(key);
      if (seen && seen.resetAt <= Date.now()) counts.delete(key);
      return counts.get(key);
    },
    async increment(key) {
      if (counts.size > MEMORY_KEY_LIMIT) counts.clear();
      const entry = counts.get(key) ?? { count: 0, resetAt: Date.now() + windowMs };
      entry.count++;
      counts.set(key, entry);
    },
  };
}

/**
 * Counts in an express-rate-limit Store (Redis in a cluster), told the window first as express-rate-limit
 * tells it. A store that cannot read a count back (no `get`) could never limit: refused at start-up.
 */
export function storeCounter(store: Store, windowMs: number): FailureCounter {
  if (typeof store.get !== 'function')
    throw new Error('The wrong-token limit needs a rate-limit store that can read its counts (get)');
  // Only the window matters to a store; express-rate-limit hands it its whole options object.
  void store.init?.({ windowMs } as Options);
  return {
    async get(key) {
      const seen = await store.get?.(key);
      return seen?.resetTime ? { count: seen.totalHits, resetAt: seen.resetTime.getTime() } : undefined;
    },
    async increment(key) {
      await store.increment(key);
    },
  };
}
