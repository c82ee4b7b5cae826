import path from 'node:path';
import { defaultFileIndex } from '../domain/default-file.js';
import type { TorrentMetaStore } from '../adapters/torrent-meta-store.js';
import type { Logger } from '../logger.js';
import type { CacheEntry, CacheIndex } from '../ports/cache-index.js';
import type { Clock } from '../ports/clock.js';
import type { Disk } from '../ports/disk.js';
import type { CachedTorrents } from './library.service.js';
import type { CachedFile, CachedFileLookup } from './stream.service.js';
import type { FileDoneListener } from './torrent.service.js';
import { fileView, type TorrentView } from './torrent-status.js';

/** lastAccessed is written at most this often per file: reads are hot, the index need not be. */
const TOUCH_THROTTLE_MS = 10_000;
/**
 * A file checked on disk is trusted this long. The index is the truth (eviction removes the entry
 * before the file); the check only catches files deleted behind our back, so it need not run per request.
 */
const VERIFIED_FOR_MS = 10_000;

export const leaseKey = (infoHash: string, fileIndex: number): string => `${infoHash}:${fileIndex}`;

/** Counts readers per file; the cleaner never evicts a file with readers. */
export class Leases {
  private readonly counts = new Map<string, number>();

  take(infoHash: string, fileIndex: number): () => void {
    const key = leaseKey(infoHash, fileIndex);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left <= 0) this.counts.delete(key);
      else this.counts.set(key, left);
    };
  }

  has(infoHash: string, fileIndex?: number): boolean {
    if (fileIndex !== undefined) return this.counts.has(leaseKey(infoHash, fileIndex));
    for (const key of this.counts.keys()) if (key.startsWith(`${infoHash}:`)) return true;
    return false;
  }
}

export interface CacheCounters {
  hits: number;
  misses: number;
  evictions: number;
}

/**
 * The finished-file cache seen from the rest of the app: lookups with leases for streaming,
 * recording files as they complete, and cached torrents for the library.
 */
export class CacheService implements CachedFileLookup, CachedTorrents {
  readonly counters: CacheCounters = { hits: 0, misses: 0, evictions: 0 };
  private readonly lastTouch = new Map<string, number>();
  private readonly verifiedAt = new Map<string, number>();
  /** Default file of a cached torrent, from its stored .torrent (never changes for an info hash). */
  private readonly defaultFiles = new Map<string, number>();

  constructor(
    readonly index: CacheIndex,
    readonly metaStore: TorrentMetaStore,
    private readonly disk: Disk,
    readonly leases: Leases,
    private readonly clock: Clock,
    readonly downloadDir: string,
    private readonly logger: Logger,
  ) {}

  absolutePath(entry: CacheEntry): string {
    return path.join(this.downloadDir, ...entry.path.split('/'));
  }

  async acquire(infoHash: string, fileIndex: number | undefined): Promise<CachedFile | undefined> {
    const entry = await this.findEntry(infoHash, fileIndex);
    if (!entry) {
      this.counters.misses++;
      return undefined;
    }
    const absolutePath = this.absolutePath(entry);
    if (!(await this.onDisk(entry, absolutePath))) {
      // The file vanished or changed under us: never serve it, forget it.
      this.logger.warn({ infoHash, fileIndex: entry.fileIndex }, 'cached file missing on disk; dropping entry');
      await this.index.remove(infoHash, entry.fileIndex);
      this.counters.misses++;
      return undefined;
    }
    this.counters.hits++;
    const release = this.leases.take(infoHash, entry.fileIndex);
    this.touch(entry);
    return { fileIndex: entry.fileIndex, fileName: entry.fileName, size: entry.size, absolutePath, createdAt: entry.createdAt, release };
  }

  lease(infoHash: string, fileIndex: number): () => void {
    return this.leases.take(infoHash, fileIndex);
  }

  /** Records a file the engine finished (subscribed to TorrentService.onFileDone). */
  readonly recordFinishedFile: FileDoneListener = (event) => {
    const file = event.meta.files[event.fileIndex];
    if (!file) return;
    const now = this.clock.now();
    const relative = path.relative(this.downloadDir, event.path).split(path.sep).join('/');
    Promise.all([
      this.metaStore.save(event.infoHash, event.meta.torrentFile),
      this.index.upsert({
        infoHash: event.infoHash,
        fileIndex: event.fileIndex,
        path: relative,
        size: file.length,
        torrentName: event.meta.name,
        fileName: file.name,
        createdAt: now,
        lastAccessed: now,
        hits: 0,
      }),
    ]).then(
      () => this.logger.info({ infoHash: event.infoHash, fileIndex: event.fileIndex, file: file.name }, 'file cached'),
      (err: unknown) => this.logger.error({ err, infoHash: event.infoHash }, 'could not record cached file'),
    );
  };

  async view(infoHash: string): Promise<TorrentView | undefined> {
    const entries = await this.index.listByTorrent(infoHash);
    if (entries.length === 0) return undefined;
    return this.describe(infoHash, entries);
  }

  async list(): Promise<TorrentView[]> {
    const byTorrent = new Map<string, CacheEntry[]>();
    for (const entry of await this.index.all()) {
      const list = byTorrent.get(entry.infoHash) ?? [];
      list.push(entry);
      byTorrent.set(entry.infoHash, list);
    }
    const views = await Promise.all([...byTorrent].map(([hash, entries]) => this.describe(hash, entries)));
    return views.sort((a, b) => Date.parse(b.addedAt) - Date.parse(a.addedAt));
  }

  async remove(infoHash: string, deleteFiles: boolean): Promise<boolean> {
    const removed = await this.index.remove(infoHash);
    if (deleteFiles) {
      await this.disk.removeDir(path.join(this.downloadDir, infoHash));
      await this.metaStore.remove(infoHash);
    }
    return removed > 0;
  }

  /** Drops entries whose files are gone or changed (run once at start-up). */
  async dropMissingFiles(): Promise<number> {
    let dropped = 0;
    for (const entry of await this.index.all()) {
      if ((await this.disk.fileSize(this.absolutePath(entry))) === entry.size) continue;
      await this.index.remove(entry.infoHash, entry.fileIndex);
      dropped++;
    }
    if (dropped > 0) this.logger.warn({ dropped }, 'dropped cache entries whose files are gone');
    return dropped;
  }

  private async onDisk(entry: CacheEntry, absolutePath: string): Promise<boolean> {
    const key = leaseKey(entry.infoHash, entry.fileIndex);
    const now = this.clock.now();
    if (now - (this.verifiedAt.get(key) ?? -Infinity) < VERIFIED_FOR_MS) return true;
    if ((await this.disk.fileSize(absolutePath)) !== entry.size) {
      this.verifiedAt.delete(key);
      return false;
    }
    if (this.verifiedAt.size > 10_000) this.verifiedAt.clear(); // bounded memory; worst case one extra stat
    this.verifiedAt.set(key, now);
    return true;
  }

  private async findEntry(infoHash: string, fileIndex: number | undefined): Promise<CacheEntry | undefined> {
    if (fileIndex !== undefined) return this.index.get(infoHash, fileIndex);
    const known = this.defaultFiles.get(infoHash);
    if (known !== undefined) return this.index.get(infoHash, known);
    const entries = await this.index.listByTorrent(infoHash);
    if (entries.length === 0) return undefined;
    const stored = await this.metaStore.load(infoHash);
    const wanted = defaultFileIndex(stored?.files ?? entries.map((e) => ({ index: e.fileIndex, name: e.fileName, length: e.size })));
    if (stored && wanted !== undefined) {
      if (this.defaultFiles.size > 10_000) this.defaultFiles.clear();
      this.defaultFiles.set(infoHash, wanted);
    }
    return entries.find((e) => e.fileIndex === wanted);
  }

  private touch(entry: CacheEntry): void {
    const key = leaseKey(entry.infoHash, entry.fileIndex);
    const now = this.clock.now();
    if (now - (this.lastTouch.get(key) ?? 0) < TOUCH_THROTTLE_MS) return;
    this.lastTouch.set(key, now);
    if (this.lastTouch.size > 10_000) this.lastTouch.clear(); // bounded memory; worst case one extra write
    this.index.touch(entry.infoHash, entry.fileIndex, now).catch((err: unknown) => this.logger.warn({ err }, 'cache touch failed'));
  }

  private async describe(infoHash: string, entries: CacheEntry[]): Promise<TorrentView> {
    const stored = await this.metaStore.load(infoHash);
    const byIndex = new Map(entries.map((e) => [e.fileIndex, e]));
    const files = (stored?.files ?? entries.map((e) => ({ index: e.fileIndex, name: e.fileName, path: e.path.split('/').slice(1).join('/'), length: e.size })))
      .map((f) => {
        const cached = byIndex.get(f.index);
        return fileView(f, cached ? f.length : 0);
      });
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
}
