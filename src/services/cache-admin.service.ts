import type { CacheCleaner } from './cache-cleaner.service.js';
import type { CacheService } from './cache.service.js';
import type { TorrentService } from './torrent.service.js';

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MB) * 100) / 100;
const pct = (part: number, whole: number) => (whole > 0 ? ((part / whole) * 100).toFixed(2) : '0.00');

/** The cache endpoints' answers (the seed's shapes plus hit/miss/eviction counters). */
export class CacheAdminService {
  constructor(
    private readonly cache: CacheService,
    private readonly cleaner: CacheCleaner,
    private readonly torrents: Pick<TorrentService, 'get' | 'has'>,
    private readonly cleanupIntervalSeconds: number,
    private readonly persistent: boolean,
  ) {}

  async stats() {
    const totals = await this.cache.stats();
    const used = totals.bytes + this.cleaner.reservedBytes();
    const { hits, misses, evictions, backend } = totals;
    return {
      backend,
      size: totals.count,
      maxSize: this.cleaner.limits.maxSize,
      diskUsage: mb(used),
      cachedBytes: totals.bytes,
      reservedBytes: this.cleaner.reservedBytes(),
      maxDiskUsage: mb(this.cleaner.limits.maxDiskBytes),
      diskUsagePercent: pct(used, this.cleaner.limits.maxDiskBytes),
      cleanupInterval: this.cleanupIntervalSeconds,
      ttl: Math.round(this.cleaner.limits.ttlMs / 1000),
      hits,
      misses,
      hitRate: pct(hits, hits + misses),
      evictions,
      scalingInfo: {
        backend,
        isScalable: backend === 'redis',
        supportsPersistence: totals.persistent || this.persistent,
        recommendedForProduction: backend !== 'memory',
      },
    };
  }

  async config() {
    const s = await this.stats();
    return {
      backend: s.backend,
      maxSize: s.maxSize,
      currentSize: s.size,
      maxDiskUsage: s.maxDiskUsage,
      currentDiskUsage: s.diskUsage,
      diskUsagePercent: s.diskUsagePercent,
      cleanupInterval: s.cleanupInterval,
      ttl: s.ttl,
      minFreeMB: mb(this.cleaner.limits.minFreeBytes),
    };
  }

  /** POST /api/cache/rebuild: put files on disk whose entries are missing back into the index. */
  rebuild() {
    return this.cache.rebuild((infoHash) => this.torrents.has(infoHash));
  }

  async forceCleanup() {
    const result = await this.cleaner.cleanup({ sweepOrphans: true });
    const s = await this.stats();
    return {
      cleanedCount: result.cleanedCount + result.orphansRemoved,
      freedSpaceMB: mb(result.freedBytes),
      finalSize: s.size,
      finalDiskUsage: s.diskUsage,
    };
  }

  async health() {
    const s = await this.stats();
    return { backend: s.backend, size: s.size, maxSize: s.maxSize, diskUsage: `${s.diskUsagePercent}%` };
  }

  /** Instant availability: for each hash, is it cached (which files), and how far is an active download. */
  async check(infoHashes: string[]) {
    const results = await Promise.all(
      infoHashes.map(async (infoHash) => {
        const files = await this.cache.cachedFiles(infoHash);
        const live = this.torrents.get(infoHash);
        return {
          infoHash,
          cached: files.length > 0,
          files,
          active: live ? { status: live.status, progress: live.progress, numPeers: live.numPeers } : null,
        };
      }),
    );
    return results;
  }
}
