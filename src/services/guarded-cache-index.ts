import { DomainError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { CacheIndex } from '../ports/cache-index.js';

/** How long a client should wait before asking again while the index is unreachable (Retry-After). */
export const INDEX_RETRY_AFTER_S = 5;

/**
 * Wraps the cache index so that its infrastructure failures (Redis down, a broken SQLite file) become
 * one domain error, INDEX_UNAVAILABLE (503 with Retry-After), instead of 500s; and logs one line when
 * the index becomes unreachable and one when it answers again, never one per request.
 */
export function guardCacheIndex(index: CacheIndex, logger: Logger): CacheIndex & { readonly available: boolean } {
  let available = true;
  const call =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await fn(...args);
        if (!available) {
          available = true;
          logger.info({ backend: index.backend }, 'cache index reachable again');
        }
        return result;
      } catch (err) {
        if (err instanceof DomainError || err instanceof TypeError) throw err; // our own rules, not an outage
        if (available) {
          available = false;
          logger.error(
            { backend: index.backend, op: name, err: (err as Error).message },
            'cache index unreachable; serving what this process knows',
          );
        }
        throw new DomainError(
          'INDEX_UNAVAILABLE',
          `The cache index (${index.backend}) is unreachable right now; try again in a few seconds`,
          {
            retryAfter: INDEX_RETRY_AFTER_S,
          },
        );
      }
    };
  return {
    backend: index.backend,
    persistent: index.persistent,
    get available() {
      return available;
    },
    get: call('get', (h: string, i: number) => index.get(h, i)),
    listByTorrent: call('listByTorrent', (h: string) => index.listByTorrent(h)),
    upsert: call('upsert', (e: Parameters<CacheIndex['upsert']>[0]) => index.upsert(e)),
    touch: call('touch', (h: string, i: number, at: number) => index.touch(h, i, at)),
    remove: call('remove', (h: string, i?: number) => index.remove(h, i)),
    removeMany: call('removeMany', (keys: Parameters<CacheIndex['removeMany']>[0]) => index.removeMany(keys)),
    oldest: call('oldest', (limit: number, node?: string) => index.oldest(limit, node)),
    all: call('all', () => index.all()),
    totals: call('totals', (node?: string) => index.totals(node)),
    close: () => index.close(),
  };
}

export const isIndexUnavailable = (err: unknown): boolean =>
  err instanceof DomainError && err.code === 'INDEX_UNAVAILABLE';
