import { defaultFileIndex } from '../domain/default-file.js';
import type { CacheEntry, CacheIndex } from '../ports/cache-index.js';
import type { TorrentMetaStore } from '../ports/torrent-meta-store.js';

/** Remembered default files are dropped past this many torrents: bounded memory, worst case one extra lookup. */
const MEMO_LIMIT = 10_000;

/**
 * Finds a cached file's entry, `fileIndex` undefined meaning the torrent's default file. The default is
 * chosen among all the files of the stored .torrent (else among the cached ones) and remembered: it never
 * changes for an info hash.
 */
export class DefaultFiles {
  private readonly chosen = new Map<string, number>();

  constructor(
    private readonly index: CacheIndex,
    private readonly metaStore: TorrentMetaStore,
  ) {}

  /** The default file chosen earlier for this torrent, if any. */
  known(infoHash: string): number | undefined {
    return this.chosen.get(infoHash);
  }

  /** The index's entry of the file (undefined: not cached); throws what the index throws. */
  async entry(infoHash: string, fileIndex: number | undefined): Promise<CacheEntry | undefined> {
    if (fileIndex !== undefined) return this.index.get(infoHash, fileIndex);
    const known = this.chosen.get(infoHash);
    if (known !== undefined) return this.index.get(infoHash, known);
    const entries = await this.index.listByTorrent(infoHash);
    if (entries.length === 0) return undefined;
    const stored = await this.metaStore.load(infoHash);
    const wanted = defaultFileIndex(
      stored?.files ?? entries.map((e) => ({ index: e.fileIndex, name: e.fileName, length: e.size })),
    );
    if (stored && wanted !== undefined) {
      if (this.chosen.size > MEMO_LIMIT) this.chosen.clear();
      this.chosen.set(infoHash, wanted);
    }
    return entries.find((e) => e.fileIndex === wanted);
  }
}
