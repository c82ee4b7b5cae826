/** One finished file on disk, as the cache index records it. */
export interface CacheEntry {
  infoHash: string;
  fileIndex: number;
  /** Path relative to DOWNLOAD_DIR, '/'-separated. */
  path: string;
  size: number;
  torrentName: string;
  fileName: string;
  createdAt: number;
  lastAccessed: number;
  hits: number;
  /**
   * NODE_ID of the instance whose DOWNLOAD_DIR holds the file, and that instance's internal base URL
   * (NODE_URL). Undefined on entries written before instances recorded it: such an entry belongs to
   * whichever node finds its file on its own disk.
   */
  node?: string;
  nodeUrl?: string;
}

export type CacheBackend = 'memory' | 'sqlite' | 'redis';

export interface CacheTotals {
  count: number;
  bytes: number;
}

/**
 * The index of finished files. Three adapters (memory, sqlite, redis) pass one contract suite.
 * All methods are async so the Redis adapter fits; keys are (infoHash, fileIndex).
 */
export interface CacheIndex {
  readonly backend: CacheBackend;
  /** Whether entries survive a restart. */
  readonly persistent: boolean;
  get(infoHash: string, fileIndex: number): Promise<CacheEntry | undefined>;
  listByTorrent(infoHash: string): Promise<CacheEntry[]>;
  /** Insert or replace; keeps hits and createdAt of an existing entry. */
  upsert(entry: CacheEntry): Promise<void>;
  /** lastAccessed = at, hits + 1. No-op for a missing entry. */
  touch(infoHash: string, fileIndex: number, at: number): Promise<void>;
  /** Removes one file's entry, or every entry of the torrent when fileIndex is omitted; returns how many. */
  remove(infoHash: string, fileIndex?: number): Promise<number>;
  /** Removes many files' entries in one go (the cleaner's batches); returns how many existed. */
  removeMany(keys: ReadonlyArray<{ infoHash: string; fileIndex: number }>): Promise<number>;
  /** Least recently accessed first; with `node`, only the entries that node holds. */
  oldest(limit: number, node?: string): Promise<CacheEntry[]>;
  all(): Promise<CacheEntry[]>;
  /** Every entry, or with `node` only the entries that node holds (entries without a node never count). */
  totals(node?: string): Promise<CacheTotals>;
  close(): Promise<void>;
}
