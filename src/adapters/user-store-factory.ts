import path from 'node:path';
import type { Config } from '../config.js';
import type { UserStore } from '../ports/user-store.js';
import { JsonUserStore } from './json-user-store.js';
import { RedisUserStore } from './redis-user-store.js';
import { SqliteUserStore } from './sqlite-user-store.js';

/** Where a JsonUserStore keeps its file for the memory backend: `users.json` beside CACHE_DB_PATH. */
export function jsonUserStorePath(config: Config): string {
  return path.join(path.dirname(config.cache.dbPath), 'users.json');
}

/** Picks the UserStore adapter that lives beside the cache index CACHE_BACKEND names. */
export async function createUserStore(config: Config): Promise<UserStore> {
  switch (config.cache.backend) {
    case 'memory':
      return new JsonUserStore(jsonUserStorePath(config));
    case 'sqlite':
      return new SqliteUserStore({ path: config.cache.dbPath });
    case 'redis':
      return RedisUserStore.connect({
        url: config.redis.url,
        keyPrefix: config.redis.keyPrefix,
        ...(config.redis.password ? { password: config.redis.password } : {}),
      });
  }
}
