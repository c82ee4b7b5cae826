import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheIndex, CacheTotals } from '../ports/cache-index.js';

export interface MemoryCacheIndexOptions {
  /** Hard ceiling on entries; set it well above CACHE_MAX_SIZE. */
  maxEntries: number;
}

const keyOf = (infoHash: string, fileIndex: number): string => `${infoHash}:${fileIndex}`;

/**
 * Process-local index; everything is lost on restart.
 *
 * The real eviction policy (count, disk, TTL, "not while streaming") lives in the cache service.
 * The LRU's own dropping is only a safety bound against unbounded growth if that service is
 * misconfigured or stalls, which is why `maxEntries` should be far above CACHE_MAX_SIZE. When it
 * does drop something, `dispose` keeps totals and the per-torrent index exact.
 */
export class MemoryCacheIndex implements CacheIndex {
  readonly backend = 'memory' as const;
  readonly persistent = false;

  private readonly entries: LRUCache<string, CacheEntry>;
  /** infoHash -> fileIndexes, so listByTorrent and remove(infoHash) do not scan every entry. */
  private readonly byTorrent = new Map<string, Set<number>>();
  private count = 0;
  private bytes = 0;

  constructor(options: MemoryCacheIndexOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    this.entries = new LRUCache<string, CacheEntry>({
      max: options.maxEntries,
      // Only the LRU's own drops arrive here; our explicit set/delete paths account for themselves.
      dispose: (entry, _key, reason) => {
        if (reason === 'evict') this.forget(entry);
      },
    });
  }

  async get(infoHash: string, fileIndex: number): Promise<CacheEntry | undefined> {
    // peek: reading the index is not an access to the file, so it must not refresh LRU order.
    const entry = this.entries.peek(keyOf(infoHash, fileIndex));
    return entry && { ...entry };
  }

  async listByTorrent(infoHash: string): Promise<CacheEntry[]> {
    const indexes = [...(this.byTorrent.get(infoHash) ?? [])].sort((a, b) => a - b);
    const out: CacheEntry[] = [];
    for (const i of indexes) {
      const entry = this.entries.peek(keyOf(infoHash, i));
      if (entry) out.push({ ...entry });
    }
    return out;
  }

  async upsert(entry: CacheEntry): Promise<void> {
    const key = keyOf(entry.infoHash, entry.fileIndex);
    const existing = this.entries.peek(key);
    // Copy so later mutation of the caller's object cannot change the index behind our back.
    const stored: CacheEntry = existing
      ? { ...entry, createdAt: existing.createdAt, hits: existing.hits }
      : { ...entry };
    if (existing) {
      this.bytes += stored.size - existing.size;
    } else {
      this.count += 1;
      this.bytes += stored.size;
      let files = this.byTorrent.get(stored.infoHash);
      if (!files) this.byTorrent.set(stored.infoHash, (files = new Set()));
      files.add(stored.fileIndex);
    }
    // noDisposeOnSet: replacing a value is not a removal, so totals must not be touched twice.
    this.entries.set(key, stored, { noDisposeOnSet: true });
  }

  async touch(infoHash: string, fileIndex: number, at: number): Promise<void> {
    // get (not peek) so the safety-bound LRU order follows real accesses too.
    const entry = this.entries.get(keyOf(infoHash, fileIndex));
    if (!entry) return;
    entry.lastAccessed = at;
    entry.hits += 1;
  }

  async remove(infoHash: string, fileIndex?: number): Promise<number> {
    const indexes = fileIndex === undefined ? [...(this.byTorrent.get(infoHash) ?? [])] : [fileIndex];
    let removed = 0;
    for (const i of indexes) {
      const key = keyOf(infoHash, i);
      const entry = this.entries.peek(key);
      if (!entry) continue;
      this.entries.delete(key);
      this.forget(entry);
      removed += 1;
    }
    return removed;
  }

  async removeMany(keys: ReadonlyArray<{ infoHash: string; fileIndex: number }>): Promise<number> {
    let removed = 0;
    for (const k of keys) removed += await this.remove(k.infoHash, k.fileIndex);
    return removed;
  }

  async oldest(limit: number, node?: string): Promise<CacheEntry[]> {
    if (limit <= 0) return [];
    // Ordered by the entry's lastAccessed, not the LRU's internal recency (which upsert also bumps).
    // A full sort of 100k small objects takes a few tens of ms, fine for a periodic cleaner.
    return [...this.entries.values()]
      .filter((e) => node === undefined || e.node === node)
      .sort((a, b) => a.lastAccessed - b.lastAccessed || compareKeys(a, b))
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }

  async all(): Promise<CacheEntry[]> {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  async totals(node?: string): Promise<CacheTotals> {
    if (node === undefined) return { count: this.count, bytes: this.bytes };
    let count = 0;
    let bytes = 0;
    for (const e of this.entries.values()) {
      if (e.node !== node) continue;
      count++;
      bytes += e.size;
    }
    return { count, bytes };
  }

  async close(): Promise<void> {
    // Nothing to release; entries stay readable so a late caller during shutdown does not throw.
  }

  private forget(entry: CacheEntry): void {
    this.count -= 1;
    this.bytes -= entry.size;
    const files = this.byTorrent.get(entry.infoHash);
    files?.delete(entry.fileIndex);
    if (files?.size === 0) this.byTorrent.delete(entry.infoHash);
  }
}

function compareKeys(a: CacheEntry, b: CacheEntry): number {
  return a.infoHash < b.infoHash ? -1 : a.infoHash > b.infoHash ? 1 : a.fileIndex - b.fileIndex;
}
