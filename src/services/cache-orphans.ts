import path from 'node:path';
import type { CacheIndex } from '../ports/cache-index.js';
import type { Disk } from '../ports/disk.js';
import type { TorrentMetaStore } from '../ports/torrent-meta-store.js';
import type { NodeIdentity } from './node-identity.js';

export interface OrphanSweepResult {
  count: number;
  bytes: number;
}

interface CacheParts {
  index: CacheIndex;
  metaStore: TorrentMetaStore;
  disk: Disk;
  downloadDir: string;
  /** Only this node's entries (and old ones with no node) own files on this disk. */
  node?: NodeIdentity;
}

/**
 * Files no entry and no active torrent owns (crash leftovers, stopped partial downloads), once older
 * than `graceCutoff`; and stored .torrent files of torrents that have neither. Called by CacheService,
 * which owns these parts.
 */
export async function sweepOrphans(
  parts: CacheParts,
  graceCutoff: number,
  isActive: (infoHash: string) => boolean,
): Promise<OrphanSweepResult> {
  const { index, metaStore, disk, downloadDir } = parts;
  const dirs = (await disk.list(downloadDir)).filter(
    (d) => d.isDirectory && !d.name.startsWith('.') && !isActive(d.name),
  );
  const owned = new Map<string, Set<string>>();
  for (const entry of dirs.length > 0 ? await index.all() : []) {
    if (parts.node?.holderOf(entry) === 'other') continue; // another node's file, on its own disk
    const paths = owned.get(entry.infoHash) ?? new Set<string>();
    paths.add(entry.path);
    owned.set(entry.infoHash, paths);
  }
  let count = 0;
  let bytes = 0;
  for (const dir of dirs) {
    const mine = owned.get(dir.name) ?? new Set<string>();
    const root = path.join(downloadDir, dir.name);
    const files = await disk.walkFiles(root);
    const stale = files.filter((f) => !mine.has(`${dir.name}/${f.relativePath}`) && f.mtimeMs < graceCutoff);
    if (mine.size === 0 && stale.length === files.length && dir.mtimeMs < graceCutoff) {
      await disk.removeDir(root);
      await metaStore.remove(dir.name);
    } else {
      for (const f of stale) await disk.removeFile(path.join(root, ...f.relativePath.split('/')));
    }
    count += stale.length;
    bytes += stale.reduce((sum, f) => sum + f.bytes, 0);
  }
  for (const hash of await metaStore.list()) {
    if (isActive(hash) || owned.has(hash)) continue;
    if (dirs.length === 0 && (await index.listByTorrent(hash)).length > 0) continue; // index not loaded
    await metaStore.remove(hash);
  }
  return { count, bytes };
}
