import { DomainError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { CacheEntry } from '../ports/cache-index.js';
import type { Clock } from '../ports/clock.js';
import type { CacheService } from './cache.service.js';
import { isIndexUnavailable } from './guarded-cache-index.js';
import { leaseKey } from './leases.js';
import type { StorageGuard, TorrentService } from './torrent.service.js';

export interface CacheLimits {
  maxSize: number;
  maxDiskBytes: number;
  /** 0 = entries never expire. */
  ttlMs: number;
  minFreeBytes: number;
  /** Unowned files younger than this are left alone (a download may be just starting). */
  orphanGraceMs: number;
}

export interface CleanupResult {
  cleanedCount: number;
  freedBytes: number;
  expired: number;
  evicted: number;
  orphansRemoved: number;
  durationMs: number;
}

const MB = 1024 * 1024;
const BATCH = 500;

/** What one eviction walk knows: index totals and free space, tracked locally as it evicts. */
interface Budget {
  count: number;
  bytes: number;
  free: number;
  freed: number;
  expired: number;
  evicted: number;
}

/**
 * Keeps the disk within its limits: LRU eviction by count and bytes, TTL expiry, orphan removal,
 * and reservations so downloads can never outgrow CACHE_MAX_DISK_MB. Files with readers and
 * torrents still downloading are never touched.
 */
export class CacheCleaner implements StorageGuard {
  private readonly reservations = new Map<string, Map<number, number>>();
  private running: Promise<CleanupResult> | undefined;
  /** The first sweep comes one grace period after start: younger files would be left alone anyway. */
  private lastOrphanSweep: number;
  private forceOrphanSweep = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** The index's totals at the last pass that could read them (used while it is unreachable). */
  private lastTotals = { count: 0, bytes: 0 };

  constructor(
    private readonly cache: CacheService,
    private readonly torrents: Pick<TorrentService, 'has' | 'get' | 'remove'>,
    private readonly clock: Clock,
    readonly limits: CacheLimits,
    private readonly logger: Logger,
  ) {
    this.lastOrphanSweep = clock.now();
  }

  reservedBytes(): number {
    let total = 0;
    for (const files of this.reservations.values()) for (const bytes of files.values()) total += bytes;
    return total;
  }

  /** Bytes the limit is checked against: finished files plus everything reserved for downloads. */
  async usedBytes(): Promise<number> {
    return (await this.cache.totals()).bytes + this.reservedBytes();
  }

  reserve(infoHash: string, fileIndex: number, bytes: number): Promise<void> {
    // Serialised: five concurrent adds must not all see the same free room.
    const run = this.queue.then(() => this.reserveNow(infoHash, fileIndex, bytes));
    this.queue = run.catch(() => undefined);
    return run;
  }

  fileFinished(infoHash: string, fileIndex: number): void {
    this.reservations.get(infoHash)?.delete(fileIndex);
  }

  releaseTorrent(infoHash: string): void {
    this.reservations.delete(infoHash);
  }

  /** One cleanup pass; a call while one is running shares its result (never two at once). */
  cleanup(options: { sweepOrphans?: boolean } = {}): Promise<CleanupResult> {
    if (options.sweepOrphans) this.forceOrphanSweep = true;
    this.running ??= this.runCleanup().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async reserveNow(infoHash: string, fileIndex: number, bytes: number): Promise<void> {
    if (this.reservations.get(infoHash)?.has(fileIndex)) return;
    const fits = (s: Budget) =>
      s.bytes + this.reservedBytes() + bytes <= this.limits.maxDiskBytes && s.free - bytes >= this.limits.minFreeBytes;
    let state: Budget;
    try {
      state = await this.evictUntil(fits, () => false);
    } catch (err) {
      if (!isIndexUnavailable(err)) throw err;
      // The index is unreachable: nothing can be evicted, but a download that fits by what we last knew
      // (and by the free space, read now) must not fail for it.
      state = { ...this.lastTotals, free: await this.cache.freeBytes(), freed: 0, expired: 0, evicted: 0 };
    }
    if (!fits(state)) {
      const used = state.bytes + this.reservedBytes();
      throw new DomainError(
        'INSUFFICIENT_STORAGE',
        `Not enough cache space: this file needs ${(bytes / MB).toFixed(1)} MB; ${(used / MB).toFixed(1)} of ${(this.limits.maxDiskBytes / MB).toFixed(0)} MB are in use by files being streamed or downloaded, ` +
          `and ${(this.limits.minFreeBytes / MB).toFixed(0)} MB must stay free on the volume`,
      );
    }
    const files = this.reservations.get(infoHash) ?? new Map<number, number>();
    files.set(fileIndex, bytes);
    this.reservations.set(infoHash, files);
  }

  private async runCleanup(): Promise<CleanupResult> {
    const started = this.clock.now();
    const cutoff = this.limits.ttlMs > 0 ? this.clock.now() - this.limits.ttlMs : -Infinity;
    const withinLimits = (s: Budget) =>
      s.count <= this.limits.maxSize &&
      s.bytes + this.reservedBytes() <= this.limits.maxDiskBytes &&
      s.free >= this.limits.minFreeBytes;
    const budget = await this.evictUntil(
      withinLimits,
      (entry) => entry.lastAccessed < cutoff,
      (s) => s.count - this.limits.maxSize,
    );
    const result: CleanupResult = {
      cleanedCount: budget.expired + budget.evicted,
      freedBytes: budget.freed,
      expired: budget.expired,
      evicted: budget.evicted,
      orphansRemoved: 0,
      durationMs: 0,
    };
    // The orphan sweep walks the disk and the whole index: once per grace period is plenty.
    if (this.clock.now() - this.lastOrphanSweep >= this.limits.orphanGraceMs || this.forceOrphanSweep) {
      this.lastOrphanSweep = this.clock.now();
      this.forceOrphanSweep = false;
      const orphans = await this.cache.sweepOrphans(this.clock.now() - this.limits.orphanGraceMs, (infoHash) =>
        this.torrents.has(infoHash),
      );
      result.orphansRemoved = orphans.count;
      result.freedBytes += orphans.bytes;
    }
    result.durationMs = this.clock.now() - started;
    if (result.cleanedCount > 0 || result.orphansRemoved > 0) {
      this.logger.info({ ...result, freedMB: +(result.freedBytes / MB).toFixed(2) }, 'cache cleanup freed space');
    } else {
      this.logger.debug(result, 'cache cleanup: nothing to do');
    }
    return result;
  }

  /**
   * Walks entries least recently used first and evicts while `done` is false or `expired` says so.
   * Totals and free space are read once and then tracked locally, and each batch is removed
   * concurrently, so a pass over 100k entries costs a handful of index round trips per batch.
   */
  private async evictUntil(
    done: (s: Budget) => boolean,
    expired: (e: CacheEntry) => boolean,
    knownDeficit: (s: Budget) => number = () => 0,
  ): Promise<Budget> {
    const totals = await this.cache.totals();
    this.lastTotals = totals;
    const state: Budget = {
      count: totals.count,
      bytes: totals.bytes,
      free: await this.cache.freeBytes(),
      freed: 0,
      expired: 0,
      evicted: 0,
    };
    const skipped = new Set<string>();
    // When the count limit says how many must go, fetch them in one page instead of growing pages.
    let size = Math.max(BATCH, knownDeficit(state));
    for (let finished = false; !finished;) {
      const requested = skipped.size + size;
      const page = await this.cache.oldest(requested);
      const batch = page.filter((e) => !skipped.has(leaseKey(e.infoHash, e.fileIndex)));
      const chosen: CacheEntry[] = [];
      for (const entry of batch) {
        const isExpired = expired(entry);
        // Sorted by last access: once an entry is neither expired nor needed, neither is any after it.
        if (!isExpired && done(state)) {
          finished = true;
          break;
        }
        if (!this.evictable(entry)) {
          skipped.add(leaseKey(entry.infoHash, entry.fileIndex));
          continue;
        }
        chosen.push(entry);
        state.count--;
        state.bytes -= entry.size;
        state.free += entry.size;
        state.freed += entry.size;
        if (isExpired) state.expired++;
        else state.evicted++;
      }
      await this.evictBatch(chosen);
      if (page.length < requested) finished = true; // the index has nothing older left
      size *= 2;
    }
    return state;
  }

  /** Nobody reads it and its torrent is not downloading (a finished active torrent is stopped first). */
  private evictable(entry: CacheEntry): boolean {
    const { infoHash, fileIndex } = entry;
    if (this.cache.hasReaders(infoHash, fileIndex)) return false;
    if (!this.torrents.has(infoHash)) return true;
    const status = this.torrents.get(infoHash)?.status;
    return !this.cache.hasReaders(infoHash) && (status === 'complete' || status === 'failed');
  }

  /** Finished active torrents leave the engine first; then the cache evicts the batch. */
  private async evictBatch(entries: CacheEntry[]): Promise<void> {
    if (entries.length === 0) return;
    for (const infoHash of new Set(entries.map((e) => e.infoHash))) {
      if (this.torrents.has(infoHash)) await this.torrents.remove(infoHash, false);
    }
    await this.cache.evict(entries);
  }
}
