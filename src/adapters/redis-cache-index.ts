import type { CacheEntry, CacheIndex, CacheTotals } from '../ports/cache-index.js';
import { RedisConnection, type RedisClient, type RedisConnectionOptions } from './redis-connection.js';
import { REMOVE_MANY, REMOVE_ONE, REMOVE_TORRENT, TOUCH, UPSERT } from './redis-cache-scripts.js';

/** REDIS_URL, REDIS_PASSWORD, REDIS_KEY_PREFIX: instances sharing a prefix share one index. */
export type RedisCacheIndexOptions = RedisConnectionOptions;

/** Keeps a single pipeline's reply bounded when listing 100k entries. */
const BATCH = 1000;

type Arg = string | number;
interface ScriptedRedis extends RedisClient {
  cacheUpsert(...args: Arg[]): Promise<number>;
  cacheTouch(...args: Arg[]): Promise<number>;
  cacheRemoveOne(...args: Arg[]): Promise<number>;
  cacheRemoveTorrent(...args: Arg[]): Promise<number>;
  cacheRemoveMany(...args: Arg[]): Promise<number>;
}

function toEntry(h: Record<string, string>): CacheEntry | undefined {
  // A missing key reads as {}; a key removed between ZRANGE/SMEMBERS and HGETALL does too.
  if (h.infoHash === undefined) return undefined;
  return {
    infoHash: h.infoHash,
    fileIndex: Number(h.fileIndex),
    path: h.path ?? '',
    size: Number(h.size),
    torrentName: h.torrentName ?? '',
    fileName: h.fileName ?? '',
    createdAt: Number(h.createdAt),
    lastAccessed: Number(h.lastAccessed),
    hits: Number(h.hits),
    // Entries written before nodes were recorded have neither field.
    ...(h.node ? { node: h.node } : {}),
    ...(h.nodeUrl ? { nodeUrl: h.nodeUrl } : {}),
  };
}

function assertInteger(name: string, value: number): void {
  // HINCRBY and our string arithmetic need integers; catch a float here, not as a Lua error.
  if (!Number.isSafeInteger(value)) throw new TypeError(`CacheEntry.${name} must be a safe integer, got ${value}`);
}

export class RedisCacheIndex implements CacheIndex {
  readonly backend = 'redis' as const;
  readonly persistent = true;

  private readonly connection: RedisConnection;
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;
  private readonly lruKey: string;
  private readonly totalsKey: string;

  /** Does no I/O; the first call connects. Prefer `RedisCacheIndex.connect` to fail fast at start-up. */
  constructor(options: RedisCacheIndexOptions) {
    this.connection = new RedisConnection(options, 'RedisCacheIndex');
    this.prefix = options.keyPrefix;
    this.lruKey = `${this.prefix}lru`;
    this.totalsKey = `${this.prefix}totals`;
    this.redis = this.connection.client as ScriptedRedis;
    this.redis.defineCommand('cacheUpsert', { numberOfKeys: 4, lua: UPSERT });
    this.redis.defineCommand('cacheTouch', { numberOfKeys: 2, lua: TOUCH });
    this.redis.defineCommand('cacheRemoveOne', { numberOfKeys: 4, lua: REMOVE_ONE });
    this.redis.defineCommand('cacheRemoveTorrent', { numberOfKeys: 3, lua: REMOVE_TORRENT });
    this.redis.defineCommand('cacheRemoveMany', { numberOfKeys: 2, lua: REMOVE_MANY });
  }

  /** Connects and PINGs; throws an Error naming the URL (not the password) if that fails within ~3 s. */
  static async connect(options: RedisCacheIndexOptions): Promise<RedisCacheIndex> {
    const index = new RedisCacheIndex(options);
    await index.open();
    return index;
  }

  private open(): Promise<void> {
    return this.connection.open();
  }

  private entryKey(infoHash: string, fileIndex: number): string {
    return `${this.prefix}entry:${infoHash}:${fileIndex}`;
  }

  private torrentKey(infoHash: string): string {
    return `${this.prefix}torrent:${infoHash}`;
  }

  /** lru members are '<infoHash>:<fileIndex>', the tail of the entry key. */
  private fetchByMembers(members: string[]): Promise<CacheEntry[]> {
    return this.fetchEntries(members.map((m) => `${this.prefix}entry:${m}`));
  }

  private async fetchEntries(keys: string[]): Promise<CacheEntry[]> {
    const out: CacheEntry[] = [];
    for (let i = 0; i < keys.length; i += BATCH) {
      const pipeline = this.redis.pipeline();
      for (const key of keys.slice(i, i + BATCH)) pipeline.hgetall(key);
      for (const [err, value] of (await pipeline.exec()) ?? []) {
        if (err) throw err;
        const entry = toEntry(value as Record<string, string>);
        if (entry) out.push(entry);
      }
    }
    return out;
  }

  async get(infoHash: string, fileIndex: number): Promise<CacheEntry | undefined> {
    await this.open();
    return toEntry(await this.redis.hgetall(this.entryKey(infoHash, fileIndex)));
  }

  async listByTorrent(infoHash: string): Promise<CacheEntry[]> {
    await this.open();
    const indexes = (await this.redis.smembers(this.torrentKey(infoHash))).map(Number).sort((a, b) => a - b);
    return this.fetchEntries(indexes.map((i) => this.entryKey(infoHash, i)));
  }

  async upsert(e: CacheEntry): Promise<void> {
    for (const f of ['fileIndex', 'size', 'createdAt', 'lastAccessed', 'hits'] as const) assertInteger(f, e[f]);
    await this.open();
    await this.redis.cacheUpsert(
      this.entryKey(e.infoHash, e.fileIndex),
      this.lruKey,
      this.torrentKey(e.infoHash),
      this.totalsKey,
      `${e.infoHash}:${e.fileIndex}`,
      String(e.fileIndex),
      e.infoHash,
      e.path,
      String(e.size),
      e.torrentName,
      e.fileName,
      String(e.createdAt),
      String(e.lastAccessed),
      String(e.hits),
      e.node ?? '',
      e.nodeUrl ?? '',
      this.prefix,
    );
  }

  async touch(infoHash: string, fileIndex: number, at: number): Promise<void> {
    assertInteger('lastAccessed', at);
    await this.open();
    await this.redis.cacheTouch(
      this.entryKey(infoHash, fileIndex),
      this.lruKey,
      `${infoHash}:${fileIndex}`,
      String(at),
      this.prefix,
    );
  }

  async remove(infoHash: string, fileIndex?: number): Promise<number> {
    await this.open();
    if (fileIndex === undefined) {
      return this.redis.cacheRemoveTorrent(
        this.torrentKey(infoHash),
        this.lruKey,
        this.totalsKey,
        `${this.prefix}entry:${infoHash}:`,
        infoHash,
        this.prefix,
      );
    }
    return this.redis.cacheRemoveOne(
      this.entryKey(infoHash, fileIndex),
      this.lruKey,
      this.torrentKey(infoHash),
      this.totalsKey,
      `${infoHash}:${fileIndex}`,
      String(fileIndex),
      this.prefix,
    );
  }

  async removeMany(keys: ReadonlyArray<{ infoHash: string; fileIndex: number }>): Promise<number> {
    if (keys.length === 0) return 0;
    await this.open();
    let removed = 0;
    for (let i = 0; i < keys.length; i += 1000) {
      const members = keys.slice(i, i + 1000).map((k) => `${k.infoHash}:${k.fileIndex}`);
      removed += await this.redis.cacheRemoveMany(this.lruKey, this.totalsKey, this.prefix, ...members);
    }
    return removed;
  }

  async oldest(limit: number, node?: string): Promise<CacheEntry[]> {
    if (limit <= 0) return [];
    await this.open();
    const lru = node === undefined ? this.lruKey : `${this.prefix}node-lru:${node}`;
    return this.fetchByMembers(await this.redis.zrange(lru, 0, limit - 1));
  }

  async all(): Promise<CacheEntry[]> {
    await this.open();
    return this.fetchByMembers(await this.redis.zrange(this.lruKey, 0, -1));
  }

  async totals(node?: string): Promise<CacheTotals> {
    await this.open();
    const key = node === undefined ? this.totalsKey : `${this.prefix}node-totals:${node}`;
    const [count, bytes] = await this.redis.hmget(key, 'count', 'bytes');
    return { count: Number(count ?? 0), bytes: Number(bytes ?? 0) };
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
