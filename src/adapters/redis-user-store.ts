import type { User, UserStore } from '../ports/user-store.js';
import { RedisConnection, type RedisClient, type RedisConnectionOptions } from './redis-connection.js';
import {
  assertUser,
  compareUsers,
  copyUser,
  dayStart,
  duplicateKey,
  isUser,
  nameTaken,
  pruneBefore,
} from './user-records.js';

/** The cache index's options (REDIS_URL, REDIS_PASSWORD, REDIS_KEY_PREFIX): users share its prefix. */
export type RedisUserStoreOptions = RedisConnectionOptions;

/** A day's counter lives this long after its last add: long enough for the day, then it goes by itself. */
const ADD_TTL_SECONDS = 2 * 86_400;

// Keys, all under the prefix:
//   users                  hash  id -> user JSON
//   user-names             hash  name -> id
//   user-tokens            hash  tokenHash -> id
//   user-adds:<id>:<day>   string, the day's add count (EXPIRE 2 days)
//   user-add-days:<id>     sorted set of the days that have a counter (score: the day's epoch ms),
//                          so remove() can delete a user's counters without scanning the keyspace.
//
// create and remove are Lua scripts, so instances sharing a prefix can never interleave between
// "is the name free?" and "take it", or leave a name or token pointing at a removed user.

/** KEYS: users, names, tokens. ARGV: id, name, tokenHash, user JSON. Returns 0, or what is taken. */
const CREATE = `
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return 'name' end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'id' end
if redis.call('HEXISTS', KEYS[3], ARGV[3]) == 1 then return 'tokenHash' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[1])
return 0`;

/** KEYS: tokens, users. ARGV: tokenHash. One round trip for the lookup every request makes. */
const FIND = `
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return false end
return redis.call('HGET', KEYS[2], id)`;

/**
 * KEYS: users, names, tokens, add-days. ARGV: id, counter key prefix ('<prefix>user-adds:<id>:').
 * Counter keys are built inside the script (not declared in KEYS), as the cache index's scripts do:
 * fine on a single Redis, which is all we support; a Cluster would need hash tags.
 */
const REMOVE = `
for _, day in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  redis.call('DEL', ARGV[2] .. day)
end
redis.call('DEL', KEYS[4])
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return 0 end
local user = cjson.decode(json)
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HGET', KEYS[2], user.name) == ARGV[1] then redis.call('HDEL', KEYS[2], user.name) end
if redis.call('HGET', KEYS[3], user.tokenHash) == ARGV[1] then redis.call('HDEL', KEYS[3], user.tokenHash) end
return 1`;

type Arg = string | number;
interface ScriptedRedis extends RedisClient {
  userCreate(...args: Arg[]): Promise<number | string>;
  userFind(...args: Arg[]): Promise<string | null>;
  userRemove(...args: Arg[]): Promise<number>;
}

function parseUser(json: string | null | undefined): User | undefined {
  if (!json) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return isUser(value) ? copyUser(value) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Users in Redis, so every instance on one Redis (and prefix) sees the same users and a revoked token
 * stops working everywhere at once. The client is built exactly as the cache index builds its own.
 */
export class RedisUserStore implements UserStore {
  private readonly connection: RedisConnection;
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;
  private readonly usersKey: string;
  private readonly namesKey: string;
  private readonly tokensKey: string;

  /** Does no I/O; the first call connects. Prefer `RedisUserStore.connect` to fail fast at start-up. */
  constructor(options: RedisUserStoreOptions) {
    this.connection = new RedisConnection(options, 'RedisUserStore');
    this.prefix = options.keyPrefix;
    this.usersKey = `${this.prefix}users`;
    this.namesKey = `${this.prefix}user-names`;
    this.tokensKey = `${this.prefix}user-tokens`;
    this.redis = this.connection.client as ScriptedRedis;
    this.redis.defineCommand('userCreate', { numberOfKeys: 3, lua: CREATE });
    this.redis.defineCommand('userFind', { numberOfKeys: 2, lua: FIND });
    this.redis.defineCommand('userRemove', { numberOfKeys: 4, lua: REMOVE });
  }

  /** Connects and PINGs; throws an Error naming the URL (not the password) if that fails within ~3 s. */
  static async connect(options: RedisUserStoreOptions): Promise<RedisUserStore> {
    const store = new RedisUserStore(options);
    await store.open();
    return store;
  }

  private open(): Promise<void> {
    return this.connection.open();
  }

  private addsKey(id: string, day: string): string {
    return `${this.prefix}user-adds:${id}:${day}`;
  }

  private addDaysKey(id: string): string {
    return `${this.prefix}user-add-days:${id}`;
  }

  async create(user: User): Promise<void> {
    assertUser(user);
    const stored = copyUser(user);
    await this.open();
    const taken = await this.redis.userCreate(
      this.usersKey,
      this.namesKey,
      this.tokensKey,
      stored.id,
      stored.name,
      stored.tokenHash,
      JSON.stringify(stored),
    );
    if (taken === 'name') throw nameTaken(user.name);
    if (taken === 'id' || taken === 'tokenHash') throw duplicateKey(taken);
  }

  async list(): Promise<User[]> {
    await this.open();
    const all = await this.redis.hvals(this.usersKey);
    return all
      .map(parseUser)
      .filter((u): u is User => u !== undefined)
      .sort(compareUsers);
  }

  async findByTokenHash(tokenHash: string): Promise<User | undefined> {
    await this.open();
    const user = parseUser(await this.redis.userFind(this.tokensKey, this.usersKey, tokenHash));
    // A stale token entry (which the scripts never leave, but a hand-edited Redis might) grants nothing.
    return user?.tokenHash === tokenHash ? user : undefined;
  }

  async remove(id: string): Promise<boolean> {
    await this.open();
    const removed = await this.redis.userRemove(
      this.usersKey,
      this.namesKey,
      this.tokensKey,
      this.addDaysKey(id),
      id,
      `${this.prefix}user-adds:${id}:`,
    );
    return removed === 1;
  }

  async countAdd(id: string, day: string): Promise<number> {
    const score = dayStart(day);
    const cutoff = dayStart(pruneBefore(day));
    await this.open();
    const key = this.addsKey(id, day);
    const daysKey = this.addDaysKey(id);
    const replies = await this.redis
      .multi()
      .incr(key)
      .expire(key, ADD_TTL_SECONDS)
      .zadd(daysKey, score, day)
      .zremrangebyscore(daysKey, '-inf', `(${cutoff}`) // days whose counters have expired by now
      .expire(daysKey, ADD_TTL_SECONDS)
      .exec();
    if (!replies) throw new Error('countAdd: the transaction was aborted');
    for (const [err] of replies) if (err) throw err;
    return Number(replies[0]![1]);
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
