import path from 'node:path';
import type { Logger } from '../logger.js';
import type { CacheBackend, CacheEntry, CacheIndex, CacheTotals } from '../ports/cache-index.js';
import type { Clock } from '../ports/clock.js';
import type { Disk } from '../ports/disk.js';
import type { FileStore } from '../ports/file-store.js';
import type { SharedLeases } from '../ports/leases.js';
import type { TorrentMetaStore } from '../ports/torrent-meta-store.js';
import { DefaultFiles } from './cache-default-file.js';
import { CacheNodes } from './cache-nodes.js';
import { sweepOrphans, type OrphanSweepResult } from './cache-orphans.js';
import { OutageMemo } from './cache-outage.js';
import { RecentEntries } from './cache-recent.js';
import { ReadChecks } from './cache-read-checks.js';
import { rebuildIndex, type RebuildResult } from './cache-rebuild.js';
import { describeCached, groupByTorrent } from './cache-view.js';
import { isIndexUnavailable } from './guarded-cache-index.js';
import { Leases } from './leases.js';
import type { CachedTorrents } from './library.service.js';
import { checkEntriesAtStartup } from './node-entries.js';
import { NodeIdentity } from './node-identity.js';
import type { CachedFile, CachedFileLookup, PeerFile } from './stream.service.js';
import type { FileDoneListener } from './torrent.service.js';
import type { TorrentView } from './torrent-status.js';

export interface CacheServiceDeps {
  index: CacheIndex;
  metaStore: TorrentMetaStore;
  disk: Disk;
  /** Reads file bytes (a rebuild verifies pieces with it). */
  files: FileStore;
  clock: Clock;
  /** Files live under DOWNLOAD_DIR/<infoHash>/; entries store paths relative to it. */
  downloadDir: string;
  logger: Logger;
  /** Which instance this is (default: alone, every entry its own). */
  node?: NodeIdentity;
  /** Leases every instance on one Redis sees; undefined when this instance is alone. */
  shared?: SharedLeases;
}

export interface CacheStats extends CacheTotals {
  backend: CacheBackend;
  /** Whether the index itself survives a restart. */
  persistent: boolean;
  hits: number;
  misses: number;
  evictions: number;
}

/** A cached file as the instant-availability check and the addon describe it. */
export interface CachedFileInfo {
  index: number;
  name: string;
  length: number;
}

/**
 * The finished-file cache: the only owner of the index, the stored .torrent files, the readers'
 * leases and the files under DOWNLOAD_DIR. Everyone else asks it by intent: is this file cached, take
 * a lease to read it, record a finished file, evict these, sweep what nobody owns.
 */
export class CacheService implements CachedFileLookup, CachedTorrents {
  private readonly index: CacheIndex;
  private readonly metaStore: TorrentMetaStore;
  private readonly disk: Disk;
  private readonly clock: Clock;
  private readonly downloadDir: string;
  private readonly logger: Logger;
  private readonly node: NodeIdentity;
  /** What the upkeep modules (rebuild, orphan sweep) work with: the deps, with this node. */
  private readonly parts: CacheServiceDeps & { node: NodeIdentity };
  private readonly leases = new Leases();
  private readonly counters = { hits: 0, misses: 0, evictions: 0 };
  /** Which entry a lookup means (the default file of a torrent, remembered). */
  private readonly defaults: DefaultFiles;
  /** Per hit, throttled: is the file still on disk, and its access time. */
  private readonly checks: ReadChecks;
  /** Whose disk holds an entry's file, and who reads what across the cluster. */
  private readonly nodes: CacheNodes;
  /** While the index is unreachable, the files this process has seen keep streaming from disk. */
  private readonly outage: OutageMemo;
  /** The entries of files just served: a player's burst of ranges asks the index once a second. */
  private readonly recent: RecentEntries;

  constructor(deps: CacheServiceDeps) {
    ({
      index: this.index,
      metaStore: this.metaStore,
      disk: this.disk,
      clock: this.clock,
      downloadDir: this.downloadDir,
      logger: this.logger,
    } = deps);
    this.node = deps.node ?? new NodeIdentity('local', undefined, false);
    this.parts = { ...deps, node: this.node };
    this.defaults = new DefaultFiles(this.index, this.metaStore);
    this.nodes = new CacheNodes({ index: this.index, node: this.node, shared: deps.shared, logger: this.logger });
    this.outage = new OutageMemo({ index: this.index, clock: this.clock, logger: this.logger });
    this.recent = new RecentEntries(this.clock);
    this.checks = new ReadChecks({ index: this.index, disk: this.disk, clock: this.clock, logger: this.logger });
  }

  // ---- reading ----

  /** A hit takes a lease (the file is not evicted until `release`). `fileIndex` undefined = the default file. */
  async acquire(
    infoHash: string,
    fileIndex: number | undefined,
    { localOnly = false }: { localOnly?: boolean } = {},
  ): Promise<CachedFile | PeerFile | undefined> {
    const since = this.recent.generation;
    const recent = this.recent.get(infoHash, fileIndex);
    const entry = recent ?? (await this.findEntry(infoHash, fileIndex));
    if (!entry) {
      this.counters.misses++;
      return undefined;
    }
    const holder = this.nodes.holderOf(entry);
    if (holder === 'other') {
      // Another instance's disk holds it.
      const peerFile = await this.nodes.peerFile(entry, localOnly);
      this.counters[peerFile ? 'hits' : 'misses']++;
      return peerFile;
    }
    const absolutePath = this.absolutePath(entry);
    if (!(await this.checks.onDisk(entry, absolutePath))) {
      if (holder === 'unknown') {
        this.counters.misses++; // an old entry whose file is on some other node's disk: not ours to drop
        return undefined;
      }
      // The file vanished or changed under us: never serve it, forget it.
      this.logger.warn({ infoHash, fileIndex: entry.fileIndex }, 'cached file missing on disk; dropping entry');
      this.outage.forget(infoHash, entry.fileIndex);
      this.recent.forgetTorrent(infoHash);
      await this.index.remove(infoHash, entry.fileIndex).catch((err: unknown) => {
        if (!isIndexUnavailable(err)) throw err;
      });
      this.counters.misses++;
      return undefined;
    }
    this.counters.hits++;
    if (!recent) this.recent.remember(fileIndex, entry, since);
    if (holder === 'unknown') this.nodes.claim(entry);
    const release = this.lease(infoHash, entry.fileIndex);
    this.checks.touch(entry);
    return {
      fileIndex: entry.fileIndex,
      fileName: entry.fileName,
      size: entry.size,
      absolutePath,
      createdAt: entry.createdAt,
      release,
    };
  }

  /** Marks a file as being read (not evictable) until the returned function is called. */
  lease(infoHash: string, fileIndex: number): () => void {
    const local = this.leases.take(infoHash, fileIndex);
    const shared = this.nodes.leaseInCluster(infoHash, fileIndex);
    return () => {
      local();
      shared?.();
    };
  }

  /** Someone reads this file (or, without `fileIndex`, any file of the torrent). */
  hasReaders(infoHash: string, fileIndex?: number): boolean {
    return this.leases.has(infoHash, fileIndex);
  }

  /** Is this file (undefined: the torrent's default file) finished and in the cache? The one place that decides. */
  async isCached(infoHash: string, fileIndex: number | undefined): Promise<boolean> {
    return (await this.findEntry(infoHash, fileIndex)) !== undefined;
  }

  /** Like `view`, but "not known" while the index is unreachable (an add then simply starts the torrent). */
  async viewIfReachable(infoHash: string): Promise<TorrentView | undefined> {
    try {
      return await this.view(infoHash);
    } catch (err) {
      if (isIndexUnavailable(err)) return undefined;
      throw err;
    }
  }

  /** The torrent's cached files, by index. */
  async cachedFiles(infoHash: string): Promise<CachedFileInfo[]> {
    const entries = await this.index.listByTorrent(infoHash);
    return entries
      .sort((a, b) => a.fileIndex - b.fileIndex)
      .map((e) => ({ index: e.fileIndex, name: e.fileName, length: e.size }));
  }

  // ---- the library's view ----

  async view(infoHash: string): Promise<TorrentView | undefined> {
    const entries = await this.index.listByTorrent(infoHash);
    if (entries.length === 0) return undefined;
    return this.describe(infoHash, entries);
  }

  async list(): Promise<TorrentView[]> {
    const byTorrent = groupByTorrent(await this.index.all());
    const views = await Promise.all([...byTorrent].map(([hash, entries]) => this.describe(hash, entries)));
    return views.sort((a, b) => Date.parse(b.addedAt) - Date.parse(a.addedAt));
  }

  async remove(infoHash: string, deleteFiles: boolean): Promise<boolean> {
    const removed = await this.index.remove(infoHash);
    this.outage.forgetTorrent(infoHash);
    this.recent.forgetTorrent(infoHash);
    if (deleteFiles) await this.removeTorrentFiles(infoHash);
    return removed > 0;
  }

  // ---- writing ----

  /** Records a file the engine finished (subscribed to TorrentService.onFileDone). */
  readonly recordFinishedFile: FileDoneListener = (event) => {
    const file = event.meta.files[event.fileIndex];
    if (!file) return;
    const now = this.clock.now();
    const relative = path.relative(this.downloadDir, event.path).split(path.sep).join('/');
    const entry: CacheEntry = {
      infoHash: event.infoHash,
      fileIndex: event.fileIndex,
      path: relative,
      size: file.length,
      torrentName: event.meta.name,
      fileName: file.name,
      createdAt: now,
      lastAccessed: now,
      hits: 0,
      node: this.node.id,
      nodeUrl: this.node.url,
    };
    this.outage.remember(entry);
    this.recent.forgetTorrent(event.infoHash);
    // The .torrent first, then the entry: an entry without its stored .torrent would let a request for
    // the default file pick among the cached files alone (a subtitle that finished first, say).
    this.metaStore
      .save(event.infoHash, event.meta.torrentFile)
      .then(() => this.index.upsert(entry))
      .then(
        () =>
          this.logger.info({ infoHash: event.infoHash, fileIndex: event.fileIndex, file: file.name }, 'file cached'),
        (err: unknown) => {
          if (!isIndexUnavailable(err))
            return this.logger.error({ err, infoHash: event.infoHash }, 'could not record cached file');
          // The index catches up when it answers again; meanwhile the file streams from what we know.
          this.outage.writeLater(entry);
        },
      );
  };

  // ---- upkeep (the cleaner's side) ----

  async stats(): Promise<CacheStats> {
    const totals = await this.index.totals();
    return { ...totals, backend: this.index.backend, persistent: this.index.persistent, ...this.counters };
  }

  /** What this node's disk holds (in a cluster the index also lists the other nodes' files). */
  totals(): Promise<CacheTotals> {
    return this.index.totals(this.node.scope);
  }

  /** Free bytes on the volume that holds the downloads. */
  freeBytes(): Promise<number> {
    return this.disk.freeBytes(this.downloadDir);
  }

  /** Least recently accessed entries of this node first. */
  oldest(limit: number): Promise<CacheEntry[]> {
    return this.index.oldest(limit, this.node.scope);
  }

  /**
   * Evicts a batch: one index call, then the files nobody started reading meanwhile (a reader whose
   * lease landed during the await keeps its file; the orphan sweep takes it later), then the folders
   * and .torrent files of torrents left with no cached file.
   */
  async evict(batch: readonly CacheEntry[]): Promise<void> {
    const entries = await this.nodes.unreadInCluster(batch.filter((e) => this.nodes.holderOf(e) === 'mine'));
    if (entries.length === 0) return;
    await this.index.removeMany(entries);
    for (const e of entries) {
      this.outage.forget(e.infoHash, e.fileIndex);
      this.recent.forgetTorrent(e.infoHash);
    }
    const unread = entries.filter((e) => !this.leases.has(e.infoHash, e.fileIndex));
    await Promise.all(unread.map((entry) => this.disk.removeFile(this.absolutePath(entry))));
    this.counters.evictions += entries.length;
    await Promise.all(
      [...new Set(entries.map((e) => e.infoHash))].map(async (infoHash) => {
        if (this.leases.has(infoHash) || (await this.index.listByTorrent(infoHash)).length > 0) return;
        await this.removeTorrentFiles(infoHash);
      }),
    );
    this.logger.debug(
      { files: entries.length, bytes: entries.reduce((sum, e) => sum + e.size, 0) },
      'evicted cached files',
    );
  }

  /** Removes files no entry owns and no active torrent is writing, once they are older than `graceCutoff`. */
  sweepOrphans(graceCutoff: number, isActive: (infoHash: string) => boolean): Promise<OrphanSweepResult> {
    return sweepOrphans(this.parts, graceCutoff, isActive);
  }

  /**
   * Puts files on disk back into the index (at start-up, and on POST /api/cache/rebuild): a lost index
   * costs a scan, not the library. Files that need their pieces checked are indexed in the background.
   */
  async rebuild(isActive: (infoHash: string) => boolean): Promise<RebuildResult> {
    const { result, verified } = await rebuildIndex(this.parts, isActive, (entry) => this.outage.remember(entry));
    if (result.indexed > 0 || result.verifying > 0)
      this.logger.info(result, 'cache index rebuilt from the files on disk');
    verified.then(
      (good) => {
        if (result.verifying > 0)
          this.logger.info({ verified: good, of: result.verifying }, 'rebuild: piece check finished');
      },
      (err: unknown) => this.logger.warn({ err }, 'rebuild: piece check failed'),
    );
    return result;
  }

  /**
   * Drops this node's entries whose files are gone or changed and claims node-less entries whose files
   * are here (run once at start-up); other nodes' entries are never touched.
   */
  async dropMissingFiles(): Promise<number> {
    const sizeOnDisk = (entry: CacheEntry) => this.disk.fileSize(this.absolutePath(entry));
    return (await checkEntriesAtStartup(this.index, this.node, sizeOnDisk, this.logger)).dropped;
  }

  // ---- private ----

  private absolutePath(entry: CacheEntry): string {
    return path.join(this.downloadDir, ...entry.path.split('/'));
  }

  private async removeTorrentFiles(infoHash: string): Promise<void> {
    await this.disk.removeDir(path.join(this.downloadDir, infoHash));
    await this.metaStore.remove(infoHash);
  }

  /** The index's answer, or, while it is unreachable, what this process knows (undefined: a miss). */
  private async findEntry(infoHash: string, fileIndex: number | undefined): Promise<CacheEntry | undefined> {
    try {
      const entry = await this.defaults.entry(infoHash, fileIndex);
      if (entry) this.outage.remember(entry);
      return entry;
    } catch (err) {
      if (!isIndexUnavailable(err)) throw err;
      return this.outage.recall(infoHash, fileIndex ?? this.defaults.known(infoHash));
    }
  }

  private async describe(infoHash: string, entries: CacheEntry[]): Promise<TorrentView> {
    return describeCached(infoHash, entries, await this.metaStore.load(infoHash));
  }
}
