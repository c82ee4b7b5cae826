import path from 'node:path';
import { DomainError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { CacheEntry } from '../ports/cache-index.js';
import type { Clock } from '../ports/clock.js';
import type { Disk } from '../ports/disk.js';
import type { CacheService } from './cache.service.js';
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

/**
 * Keeps the disk within its limits: LRU eviction by count and bytes, TTL expiry, orphan removal,
 * and reservations so downloads can never outgrow CACHE_MAX_DISK_MB. Files with readers and
 * torrents still downloading are never touched.
 */
export class CacheCleaner implements StorageGuard {
  private readonly reservations = new Map<string, Map<number, number>>();
  private running: Promise<CleanupResult> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly cache: CacheService,
    private readonly torrents: TorrentService,
    private readonly disk: Disk,
    private readonly clock: Clock,
    readonly limits: CacheLimits,
    private readonly logger: Logger,
  ) {}

  reservedBytes(): number {
    let total = 0;
    for (const files of this.reservations.values()) for (const bytes of files.values()) total += bytes;
    return total;
  }

  /** Bytes the limit is checked against: finished files plus everything reserved for downloads. */
  async usedBytes(): Promise<number> {
    return (await this.cache.index.totals()).bytes + this.reservedBytes();
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
  cleanup(): Promise<CleanupResult> {
    this.running ??= this.runCleanup().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async reserveNow(infoHash: string, fileIndex: number, bytes: number): Promise<void> {
    if (this.reservations.get(infoHash)?.has(fileIndex)) return;
    const fits = async () => (await this.usedBytes()) + bytes <= this.limits.maxDiskBytes
      && (await this.disk.freeBytes(this.cache.downloadDir)) - bytes >= this.limits.minFreeBytes;
    if (!(await fits())) {
      await this.evictWhile(async () => !(await fits()));
      if (!(await fits())) {
        const used = await this.usedBytes();
        throw new DomainError('INSUFFICIENT_STORAGE',
          `Not enough cache space: this file needs ${(bytes / MB).toFixed(1)} MB; ${(used / MB).toFixed(1)} of ${(this.limits.maxDiskBytes / MB).toFixed(0)} MB are in use by files being streamed or downloaded, ` +
          `and ${(this.limits.minFreeBytes / MB).toFixed(0)} MB must stay free on the volume`);
      }
    }
    const files = this.reservations.get(infoHash) ?? new Map<number, number>();
    files.set(fileIndex, bytes);
    this.reservations.set(infoHash, files);
  }

  private async runCleanup(): Promise<CleanupResult> {
    const started = this.clock.now();
    const result: CleanupResult = { cleanedCount: 0, freedBytes: 0, expired: 0, evicted: 0, orphansRemoved: 0, durationMs: 0 };
    const count = (freed: number, kind: 'expired' | 'evicted') => {
      result[kind]++;
      result.cleanedCount++;
      result.freedBytes += freed;
    };

    if (this.limits.ttlMs > 0) {
      const cutoff = this.clock.now() - this.limits.ttlMs;
      await this.evictWhile(async () => true, (entry) => entry.lastAccessed < cutoff, (freed) => count(freed, 'expired'), true);
    }
    await this.evictWhile(async () => {
      const totals = await this.cache.index.totals();
      return totals.count > this.limits.maxSize
        || totals.bytes + this.reservedBytes() > this.limits.maxDiskBytes
        || (await this.disk.freeBytes(this.cache.downloadDir)) < this.limits.minFreeBytes;
    }, () => true, (freed) => count(freed, 'evicted'));
    const orphans = await this.removeOrphans();
    result.orphansRemoved = orphans.count;
    result.freedBytes += orphans.bytes;
    result.durationMs = this.clock.now() - started;
    if (result.cleanedCount > 0 || orphans.count > 0) {
      this.logger.info({ ...result, freedMB: +(result.freedBytes / MB).toFixed(2) }, 'cache cleanup freed space');
    } else {
      this.logger.debug(result, 'cache cleanup: nothing to do');
    }
    return result;
  }

  /**
   * Walks entries least recently used first, evicting those that `select` picks while `needed()`
   * holds. With `stopAtFirstReject` the walk ends at the first entry `select` refuses (TTL: the rest is newer).
   */
  private async evictWhile(
    needed: () => Promise<boolean>,
    select: (entry: CacheEntry) => boolean = () => true,
    onEvicted: (freed: number) => void = () => undefined,
    stopAtFirstReject = false,
  ): Promise<void> {
    const skipped = new Set<string>();
    for (;;) {
      if (!(await needed())) return;
      const batch = (await this.cache.index.oldest(skipped.size + BATCH)).filter((e) => !skipped.has(`${e.infoHash}:${e.fileIndex}`));
      if (batch.length === 0) return;
      for (const entry of batch) {
        if (!select(entry)) {
          if (stopAtFirstReject) return;
          skipped.add(`${entry.infoHash}:${entry.fileIndex}`);
          continue;
        }
        if (!(await this.evict(entry))) {
          skipped.add(`${entry.infoHash}:${entry.fileIndex}`);
          continue;
        }
        onEvicted(entry.size);
        if (!(await needed())) return;
      }
    }
  }

  /** Removes one finished file unless someone reads it or its torrent is still downloading. */
  private async evict(entry: CacheEntry): Promise<boolean> {
    const { infoHash, fileIndex } = entry;
    if (this.cache.leases.has(infoHash, fileIndex)) return false;
    if (this.torrents.has(infoHash)) {
      const status = this.torrents.get(infoHash)?.status;
      if (this.cache.leases.has(infoHash) || (status !== 'complete' && status !== 'failed')) return false;
      await this.torrents.remove(infoHash, false); // out of the engine before its files go
    }
    await this.cache.index.remove(infoHash, fileIndex);
    await this.disk.removeFile(this.cache.absolutePath(entry));
    if ((await this.cache.index.listByTorrent(infoHash)).length === 0) {
      await this.disk.removeDir(path.join(this.cache.downloadDir, infoHash));
      await this.cache.metaStore.remove(infoHash);
    }
    this.cache.counters.evictions++;
    this.logger.debug({ infoHash, fileIndex, bytes: entry.size }, 'evicted cached file');
    return true;
  }

  /** Files no entry and no active torrent owns (crash leftovers, stopped partial downloads). */
  private async removeOrphans(): Promise<{ count: number; bytes: number }> {
    const graceCutoff = this.clock.now() - this.limits.orphanGraceMs;
    let count = 0;
    let bytes = 0;
    for (const dir of await this.disk.list(this.cache.downloadDir)) {
      if (!dir.isDirectory || dir.name.startsWith('.') || this.torrents.has(dir.name)) continue;
      const owned = new Set((await this.cache.index.listByTorrent(dir.name)).map((e) => e.path));
      const root = path.join(this.cache.downloadDir, dir.name);
      const files = await this.disk.walkFiles(root);
      const stale = files.filter((f) => !owned.has(`${dir.name}/${f.relativePath}`) && f.mtimeMs < graceCutoff);
      if (owned.size === 0 && stale.length === files.length && dir.mtimeMs < graceCutoff) {
        await this.disk.removeDir(root);
        await this.cache.metaStore.remove(dir.name);
      } else {
        for (const f of stale) await this.disk.removeFile(path.join(root, ...f.relativePath.split('/')));
      }
      count += stale.length;
      bytes += stale.reduce((sum, f) => sum + f.bytes, 0);
    }
    for (const hash of await this.cache.metaStore.list()) {
      if (!this.torrents.has(hash) && (await this.cache.index.listByTorrent(hash)).length === 0) await this.cache.metaStore.remove(hash);
    }
    return { count, bytes };
  }
}
