import { existsSync, renameSync } from 'node:fs';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { CacheIndex } from '../ports/cache-index.js';
import { MemoryCacheIndex } from './memory-cache-index.js';
import { RedisCacheIndex } from './redis-cache-index.js';
import { SqliteCacheIndex } from './sqlite-cache-index.js';

/** Picks the CacheIndex adapter named by CACHE_BACKEND. */
export async function createCacheIndex(config: Config, logger: Logger): Promise<CacheIndex> {
  switch (config.cache.backend) {
    case 'memory':
      return new MemoryCacheIndex({ maxEntries: Math.max(config.cache.maxSize * 2, 10_000) });
    case 'sqlite':
      return openSqlite(config.cache.dbPath, logger);
    case 'redis':
      return RedisCacheIndex.connect({
        url: config.redis.url,
        keyPrefix: config.redis.keyPrefix,
        ...(config.redis.password ? { password: config.redis.password } : {}),
      });
  }
}

const CORRUPT = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/**
 * A corrupt cache.db is moved aside (cache.db.corrupt-<time>, with its -wal and -shm) with one log line
 * and a fresh index is created, which the start-up rebuild fills from the files on disk: never a crash
 * loop over a file that will not open.
 */
function openSqlite(file: string, logger: Logger): SqliteCacheIndex {
  try {
    return new SqliteCacheIndex({ path: file });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !CORRUPT.has(code)) throw err;
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
    logger.error(
      { file, movedTo: aside, code },
      'the SQLite cache index is corrupt: moved it aside and started a new one (rebuilt from disk)',
    );
    return new SqliteCacheIndex({ path: file });
  }
}
