import type { MetricsSnapshotSources } from './ports/metrics.js';
import type { CacheService } from './services/cache.service.js';
import type { TorrentService } from './services/torrent.service.js';

/** What a /metrics scrape reads from the running services (snapshots, not events). */
export function metricsSources(
  torrents: Pick<TorrentService, 'list' | 'stats'>,
  cache: Pick<CacheService, 'stats'>,
): MetricsSnapshotSources {
  return {
    torrents() {
      const byStatus: Record<string, number> = {};
      let downloadedBytes = 0;
      let uploadedBytes = 0;
      let peers = 0;
      for (const t of torrents.list()) {
        byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
        downloadedBytes += t.downloaded;
        uploadedBytes += t.uploaded;
        peers += t.numPeers;
      }
      const stats = torrents.stats();
      return {
        byStatus,
        downloadedBytes,
        uploadedBytes,
        downloadSpeed: stats.downloadSpeed,
        uploadSpeed: stats.uploadSpeed,
        peers,
        dhtNodes: stats.dht.nodes,
      };
    },
    async cache() {
      const s = await cache.stats();
      return { entries: s.count, bytes: s.bytes, hits: s.hits, misses: s.misses, evictions: s.evictions };
    },
  };
}
