import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { RedisConnection, type RedisConnectionOptions } from './redis-connection.js';

/** KEYS: counter. ARGV: window ms. INCR, and PEXPIRE on the first hit of a window: one round trip, atomic. */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { hits, ttl }`;

interface ScriptedClient {
  rateIncrement(key: string, windowMs: number): Promise<[number, number]>;
}

/**
 * express-rate-limit's counters in Redis, so every instance behind the load balancer counts one budget
 * per client: `<prefix>rate:<limiter>:<client key>`, a number that expires with its window. Shares the
 * connection settings of the cache index (REDIS_URL, REDIS_KEY_PREFIX).
 */
export class RedisRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;

  constructor(
    private readonly connection: RedisConnection,
    limiter: string,
  ) {
    this.prefix = `${connection.prefix}rate:${limiter}:`;
    if (!('rateIncrement' in connection.client))
      connection.client.defineCommand('rateIncrement', { numberOfKeys: 1, lua: INCREMENT });
  }

  /** One connection for every limiter's store. */
  static connection(options: RedisConnectionOptions): RedisConnection {
    return new RedisConnection(options, 'RedisRateLimitStore');
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private async client() {
    await this.connection.open();
    return this.connection.client;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const redis = await this.client();
    const [hits, ttl] = await Promise.all([redis.get(this.prefix + key), redis.pttl(this.prefix + key)]);
    if (hits === null) return undefined;
    return { totalHits: Number(hits), resetTime: new Date(Date.now() + Math.max(0, ttl)) };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const redis = (await this.client()) as unknown as ScriptedClient;
    const [hits, ttl] = await redis.rateIncrement(this.prefix + key, this.windowMs);
    return { totalHits: hits, resetTime: new Date(Date.now() + ttl) };
  }

  async decrement(key: string): Promise<void> {
    await (await this.client()).decr(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await (await this.client()).del(this.prefix + key);
  }
}
