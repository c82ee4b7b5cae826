import type { Logger } from '../logger.js';
import type { CacheEntry, CacheIndex } from '../ports/cache-index.js';
import type { SharedLeases } from '../ports/leases.js';
import { isIndexUnavailable } from './guarded-cache-index.js';
import { leaseKey } from './leases.js';
import type { NodeIdentity } from './node-identity.js';
import type { PeerFile } from './stream.service.js';

export interface CacheNodesDeps {
  index: CacheIndex;
  node: NodeIdentity;
  /** Leases every instance on one Redis sees; undefined when this instance is alone. */
  shared: SharedLeases | undefined;
  logger: Logger;
}

/**
 * The cache's view of the cluster: whose disk holds an entry's file, where a live peer serves it from,
 * and who reads what across nodes. Alone (no shared leases), every answer is the local one.
 */
export class CacheNodes {
  private readonly index: CacheIndex;
  private readonly node: NodeIdentity;
  private readonly shared: SharedLeases | undefined;
  private readonly logger: Logger;

  constructor(deps: CacheNodesDeps) {
    ({ index: this.index, node: this.node, shared: this.shared, logger: this.logger } = deps);
  }

  /** Whose entry is this: 'mine', another live-or-dead node's ('other'), or recorded before nodes ('unknown'). */
  holderOf(entry: CacheEntry): 'mine' | 'other' | 'unknown' {
    return this.node.holderOf(entry);
  }

  /**
   * Another node's file, served from there while that node is alive (a gone node's file is a miss here,
   * downloaded again and then recorded as this node's). `localOnly`: always a miss.
   */
  async peerFile(entry: CacheEntry, localOnly: boolean): Promise<PeerFile | undefined> {
    const nodeUrl = localOnly ? undefined : await this.peerUrl(entry);
    if (nodeUrl === undefined) return undefined;
    const { fileIndex, fileName, size, createdAt } = entry;
    return { fileIndex, fileName, size, createdAt, node: entry.node!, nodeUrl };
  }

  /** A lease the other nodes see (undefined when alone); call the returned function to end it. */
  leaseInCluster(infoHash: string, fileIndex: number): (() => void) | undefined {
    return this.shared?.take(infoHash, fileIndex);
  }

  /** An entry recorded before nodes whose file is on this disk becomes this node's. */
  claim(entry: CacheEntry): void {
    this.index.upsert({ ...entry, node: this.node.id, nodeUrl: this.node.url }).catch((err: unknown) => {
      if (!isIndexUnavailable(err)) this.logger.warn({ err }, 'could not record the node of a cache entry');
    });
  }

  /** Leaves out what any node of the cluster reads (a proxied stream reads on the holder, which leases it). */
  async unreadInCluster(entries: CacheEntry[]): Promise<CacheEntry[]> {
    if (!this.shared || entries.length === 0) return entries;
    let read: Set<string>;
    try {
      read = await this.shared.readers(entries.map((e) => leaseKey(e.infoHash, e.fileIndex)));
    } catch (err) {
      // Who reads what is unknown while Redis is away: evict nothing rather than a file being streamed.
      this.logger.warn({ err: (err as Error).message }, 'eviction postponed: the shared leases are unreachable');
      return [];
    }
    return entries.filter((e) => !read.has(leaseKey(e.infoHash, e.fileIndex)));
  }

  /** The node's URL while it is alive (its heartbeat's, else the entry's when nothing tells liveness). */
  private async peerUrl(entry: CacheEntry): Promise<string | undefined> {
    if (!this.shared) return entry.nodeUrl;
    try {
      return await this.shared.liveUrl(entry.node!);
    } catch {
      return entry.nodeUrl; // Redis is down: try the node anyway
    }
  }
}
