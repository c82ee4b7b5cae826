import { randomBytes } from 'node:crypto';
import type { SharedLeases } from '../ports/leases.js';
import { RedisConnection, type RedisConnectionOptions } from './redis-connection.js';

export interface RedisLeasesOptions extends RedisConnectionOptions {
  /** NODE_ID: part of every key this node writes. */
  node: string;
  /** This node's base URL as the others should reach it (read at every heartbeat: known once listening). */
  nodeUrl: () => string;
  /** LEASE_TTL_MS; the heartbeat renews every key a third of it. */
  ttlMs: number;
  /** Called with a failed heartbeat's error (Redis down); the next beat tries again. */
  onError?: (err: Error) => void;
}

// Keys, all under the prefix:
//   lease:<infoHash>:<fileIndex>:<node>:<id>   '1', PX ttl: one open reader
//   leases                                     set of the lease keys, so a query need not SCAN the keyspace
//                                              (members whose key expired are dropped by the next query)
//   node:<node>                                the node's URL, PX ttl: its heartbeat

/**
 * Leases in Redis, beside the process-local counts the cache service keeps: every node sees who reads
 * what, and a node that dies (SIGKILL, power cut) stops renewing, so its leases are gone one TTL later.
 * A lease is written in the background: a reader never waits for Redis, and Redis being down only
 * means the other nodes do not see the lease (eviction is per node anyway, see README "Several instances").
 */
export class RedisLeases implements SharedLeases {
  private readonly open = new Set<string>();
  private readonly leasesKey: string;
  private readonly nodeKey: string;
  private readonly timer: NodeJS.Timeout;
  private beating: Promise<void> | undefined;

  private constructor(
    private readonly connection: RedisConnection,
    private readonly options: RedisLeasesOptions,
  ) {
    this.leasesKey = `${connection.prefix}leases`;
    this.nodeKey = `${connection.prefix}node:${options.node}`;
    this.timer = setInterval(() => void this.beat(), Math.max(100, Math.floor(options.ttlMs / 3)));
    this.timer.unref();
  }

  static async connect(options: RedisLeasesOptions): Promise<RedisLeases> {
    const connection = new RedisConnection(options, 'RedisLeases');
    await connection.open();
    const leases = new RedisLeases(connection, options);
    await leases.beat();
    return leases;
  }

  take(infoHash: string, fileIndex: number): () => void {
    const key = `${this.connection.prefix}lease:${infoHash}:${fileIndex}:${this.options.node}:${randomBytes(6).toString('hex')}`;
    this.open.add(key);
    const redis = this.connection.client;
    redis
      .multi()
      .set(key, '1', 'PX', this.options.ttlMs)
      .sadd(this.leasesKey, key)
      .exec()
      .catch((err: Error) => this.options.onError?.(err));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open.delete(key);
      redis
        .multi()
        .del(key)
        .srem(this.leasesKey, key)
        .exec()
        .catch((err: Error) => this.options.onError?.(err));
    };
  }

  async readers(keys: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(keys);
    const found = new Set<string>();
    if (wanted.size === 0) return found;
    const redis = this.connection.client;
    const prefix = `${this.connection.prefix}lease:`;
    const candidates = (await redis.smembers(this.leasesKey)).filter((k) => wanted.has(fileOf(k, prefix)));
    if (candidates.length === 0) return found;
    const pipeline = redis.pipeline();
    for (const key of candidates) pipeline.exists(key);
    const replies = (await pipeline.exec()) ?? [];
    const gone: string[] = [];
    candidates.forEach((key, i) => {
      const [err, exists] = replies[i] ?? [];
      if (err) throw err;
      if (exists === 1) found.add(fileOf(key, prefix));
      else gone.push(key);
    });
    if (gone.length > 0) await redis.srem(this.leasesKey, ...gone); // a crashed node's leftovers
    return found;
  }

  async liveUrl(node: string): Promise<string | undefined> {
    if (node === this.options.node) return this.options.nodeUrl();
    return (await this.connection.client.get(`${this.connection.prefix}node:${node}`)) ?? undefined;
  }

  /** Renews this node's key and every open lease (re-creating any that expired while Redis was away). */
  private beat(): Promise<void> {
    this.beating ??= (async () => {
      const pipeline = this.connection.client.pipeline();
      pipeline.set(this.nodeKey, this.options.nodeUrl(), 'PX', this.options.ttlMs);
      for (const key of this.open) pipeline.set(key, '1', 'PX', this.options.ttlMs).sadd(this.leasesKey, key);
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([err]) => err)?.[0];
      if (failed) throw failed;
    })()
      .catch((err: Error) => this.options.onError?.(err))
      .finally(() => (this.beating = undefined));
    return this.beating;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    // A clean stop frees what it held at once instead of one TTL later.
    const keys = [...this.open];
    this.open.clear();
    await this.connection.client
      .multi()
      .del(this.nodeKey, ...keys)
      .srem(this.leasesKey, ...(keys.length > 0 ? keys : ['-']))
      .exec()
      .catch(() => undefined);
    await this.connection.close();
  }
}

/** 'lease:<infoHash>:<fileIndex>:<node>:<id>' -> '<infoHash>:<fileIndex>' */
function fileOf(key: string, prefix: string): string {
  return key.slice(prefix.length).split(':').slice(0, 2).join(':');
}
