import type { Config } from '../config.js';
import type { CacheIndex } from '../ports/cache-index.js';
import { MemoryCacheIndex } from './memory-cache-index.js';
import { RedisCacheIndex } from './redis-cache-index.js';
import { SqliteCacheIndex } from './sqlite-cache-index.js';

/** Picks the CacheIndex adapter named by CACHE_BACKEND. */
export async function createCacheIndex(config: Config): Promise<CacheIndex> {
  switch (config.cache.backend) {
    case 'memory':
      return new MemoryCacheIndex({ maxEntries: Math.max(config.cache.maxSize * 2, 10_000) });
    case 'sqlite':
      return new SqliteCacheIndex({ path: config.cache.dbPath });
    case 'redis':
      return RedisCacheIndex.connect({
        url: config.redis.url,
        keyPrefix: config.redis.keyPrefix,
        ...(config.redis.password ? { password: config.redis.password } : {}),
      });
  }
}
