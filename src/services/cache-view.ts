import { isPadFile } from '../domain/pad-file.js';
import type { CacheEntry } from '../ports/cache-index.js';
import type { StoredTorrent } from '../ports/torrent-meta-store.js';
import { fileView, type TorrentView } from './torrent-status.js';

/** Index entries grouped by torrent, in the order the torrents first appear. */
export function groupByTorrent(entries: readonly CacheEntry[]): Map<string, CacheEntry[]> {
  const byTorrent = new Map<string, CacheEntry[]>();
  for (const entry of entries) {
    const list = byTorrent.get(entry.infoHash) ?? [];
    list.push(entry);
    byTorrent.set(entry.infoHash, list);
  }
  return byTorrent;
}

/**
 * A cached torrent as the library shows it: complete, with every file of its stored .torrent (the
 * cached ones downloaded in full), or only its cached files when the .torrent is missing.
 */
export function describeCached(
  infoHash: string,
  entries: readonly CacheEntry[],
  stored: StoredTorrent | undefined,
): TorrentView {
  const byIndex = new Map(entries.map((e) => [e.fileIndex, e]));
  const known =
    stored?.files ??
    entries.map((e) => ({
      index: e.fileIndex,
      name: e.fileName,
      path: e.path.split('/').slice(1).join('/'),
      length: e.size,
    }));
  const files = known.filter((f) => !isPadFile(f.path)).map((f) => fileView(f, byIndex.has(f.index) ? f.length : 0));
  const createdAt = Math.min(...entries.map((e) => e.createdAt));
  return {
    infoHash,
    name: stored?.name ?? entries[0]!.torrentName,
    status: 'complete',
    progress: '100.00',
    downloadSpeed: 0,
    uploadSpeed: 0,
    downloaded: entries.reduce((sum, e) => sum + e.size, 0),
    uploaded: 0,
    numPeers: 0,
    activeStreams: 0,
    timeRemaining: 0,
    addedAt: new Date(createdAt).toISOString(),
    cached: true,
    files,
  };
}
