import { DomainError, notFound } from '../domain/errors.js';
import { defaultFileIndex } from '../domain/default-file.js';
import { mediaKind } from '../domain/mime.js';
import type { ByteRange } from '../domain/range.js';
import type { ParsedTorrentInput } from '../domain/torrent-input.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../ports/clock.js';
import type { Readable } from 'node:stream';
import type { EngineTorrent, TorrentEngine, TorrentFileInfo, TorrentMeta } from '../ports/torrent-engine.js';
import { describeLiveTorrent, type TorrentView } from './torrent-status.js';
import { isPadFile } from '../domain/pad-file.js';
import { initialSources, learnSources, type KnownSources } from './torrent-sources.js';
import { MetadataAttempts, withTimeout } from './torrent-attempts.js';

export interface TorrentServiceOptions {
  timeoutMs: number;
  maxRetries: number;
  /** TORRENT_MAX_ACTIVE: the next new torrent past this many (failed ones not counted) is refused. */
  maxActive?: number;
}

/** Keeps downloads within the disk budget: every wanted file is reserved before it downloads. */
export interface StorageGuard {
  /** Throws INSUFFICIENT_STORAGE when the file cannot fit even after eviction. */
  reserve(infoHash: string, fileIndex: number, bytes: number): Promise<void>;
  /** The torrent left the engine: its unfinished reservations are void. */
  releaseTorrent(infoHash: string): void;
}
export type FileDoneListener = (event: {
  infoHash: string;
  fileIndex: number;
  meta: TorrentMeta;
  path: string;
}) => void;

/** Who started a torrent: the API (the user's library) or a stream request (a player, an addon). */
export type TorrentOrigin = 'api' | 'stream';

/** A file of a live torrent, opened for reading: either finished on disk or read through the engine. */
export interface OpenedTorrentFile {
  meta: TorrentMeta;
  fileIndex: number;
  file: TorrentFileInfo;
  /** When the torrent was added (ms); the stream's Last-Modified. */
  addedAt: number;
  /** The file is complete on disk at this path: read it from there, not through the engine. */
  finishedPath: string | undefined;
  /** Bytes of the file; waits for missing pieces, asking for them first. Destroy it to let them go. */
  createReadStream(range: ByteRange): Readable;
  /** Call once the reader is done: idle time counts from the end of the last read. */
  release(): void;
}

interface ManagedTorrent {
  infoHash: string;
  origin: TorrentOrigin;
  /** The user who added it, for "a user may remove only their own torrents". */
  owner: string | undefined;
  /** Last time a stream started or ended on it (or it was added). */
  lastActivity: number;
  name: string;
  /** The magnet or .torrent it runs from, with every tracker and web seed learnt since. */
  sources: KnownSources;
  /** Aborted when a later add brings sources the running metadata attempt lacks: it restarts with them. */
  sourcesChanged: AbortController;
  addedAt: number;
  engine: EngineTorrent | undefined;
  failure: string | undefined;
  wanted: Set<number>;
  metadata: Promise<TorrentMeta>;
  abort: AbortController;
}

/** How long /health keeps warning after a download hit a full disk. */
const DISK_WARNING_MS = 10 * 60_000;

/**
 * Owns the lifecycle of torrents in the engine: start, sources merged from later adds, failure reasons,
 * wanted files, idle stops and status. The metadata attempts (timeout, retries with exponential backoff)
 * are in torrent-attempts.ts. Knows nothing about HTTP or the cache's storage.
 */
export class TorrentService {
  private readonly torrents = new Map<string, ManagedTorrent>();
  private readonly fileDoneListeners: FileDoneListener[] = [];
  private diskFullAt: number | undefined;
  private storage: StorageGuard = { reserve: async () => undefined, releaseTorrent: () => undefined };
  private readonly attempts: MetadataAttempts;

  constructor(
    private readonly engine: TorrentEngine,
    private readonly clock: Clock,
    private readonly options: TorrentServiceOptions,
    private readonly logger: Logger,
  ) {
    this.attempts = new MetadataAttempts({
      engine,
      clock,
      logger,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      releaseTorrent: (infoHash) => this.storage.releaseTorrent(infoHash),
    });
  }

  setStorageGuard(guard: StorageGuard): void {
    this.storage = guard;
  }

  onFileDone(listener: FileDoneListener): void {
    this.fileDoneListeners.push(listener);
  }

  /** Starts (or returns) a torrent for the API: the user's library. Never waits for peers; await `waitForMetadata` for that. */
  add(input: ParsedTorrentInput, owner?: string): TorrentView {
    return this.view(this.start(input, 'api', owner));
  }

  /** The user id that added this live torrent (undefined: the admin, a stream, or unknown). */
  ownerOf(infoHash: string): string | undefined {
    return this.torrents.get(infoHash)?.owner;
  }

  /**
   * Opens a file for a reader (a player, the addon's subtitles), starting the torrent from its bare
   * info hash when unknown, and waiting up to TORRENT_TIMEOUT for its metadata. `fileIndex` undefined =
   * the default file (the largest video). The file becomes wanted: it keeps downloading in the background.
   */
  async openFile(infoHash: string, fileIndex: number | undefined, origin: TorrentOrigin): Promise<OpenedTorrentFile> {
    const managed = this.start({ infoHash, trackers: [] }, origin);
    managed.lastActivity = this.clock.now();
    const meta = await this.waitForMetadata(infoHash);
    if (managed.failure) throw new DomainError('TORRENT_FAILED', managed.failure);
    const index = fileIndex ?? defaultFileIndex(meta.files);
    const found = index === undefined ? undefined : meta.files[index];
    // A BEP 47 pad file is filler, not content: as if it did not exist.
    const file = found && !isPadFile(found.path) ? found : undefined;
    if (index === undefined || !file) {
      throw new DomainError(
        'FILE_NOT_FOUND',
        `File index ${fileIndex} does not exist; torrent ${infoHash} has ${meta.files.length} file(s)`,
      );
    }
    await this.wantFile(infoHash, index);
    const engine = managed.engine;
    if (!engine?.meta() || this.torrents.get(infoHash) !== managed)
      throw new DomainError('TORRENT_FAILED', `Torrent ${infoHash} is no longer active`);
    const done = engine.isFileDone(index);
    // Players read a video's container index (head, and the tail for MKV/MP4) before playing.
    if (!done && mediaKind(file.name) === 'video') engine.prebuffer(index);
    return {
      meta,
      fileIndex: index,
      file,
      addedAt: managed.addedAt,
      finishedPath: done ? engine.filePath(index) : undefined,
      createReadStream: (range) => engine.createReadStream(index, range),
      release: () => {
        managed.lastActivity = this.clock.now();
      },
    };
  }

  /**
   * The retry rule, in one place: an add of a failed torrent starts it afresh (the user asked again,
   * maybe with trackers the first attempt lacked); a stream request does not (a player retrying its
   * ranges would restart a dead torrent forever), and gets the failure from `waitForMetadata`.
   * A torrent added through the API stays the user's even if a stream started it.
   */
  private start(input: ParsedTorrentInput, origin: TorrentOrigin, owner?: string): ManagedTorrent {
    const existing = this.torrents.get(input.infoHash);
    if (existing && (!existing.failure || origin === 'stream')) {
      if (origin === 'api') existing.origin = 'api';
      existing.lastActivity = this.clock.now();
      this.takeSources(existing, input);
      return existing;
    }
    const engineFailure = this.engine.failure();
    if (engineFailure)
      throw new DomainError('ENGINE_UNAVAILABLE', `The torrent engine is not running: ${engineFailure}`);
    if (existing) this.forget(existing);
    const maxActive = this.options.maxActive ?? Infinity;
    const active = [...this.torrents.values()].filter((m) => !m.failure).length;
    if (active >= maxActive) {
      throw new DomainError(
        'TOO_MANY_TORRENTS',
        `${active} torrents are active, the most this server runs at once (TORRENT_MAX_ACTIVE=${maxActive}): remove one or wait for a stream-started one to go idle`,
      );
    }
    const managed: ManagedTorrent = {
      infoHash: input.infoHash,
      origin,
      owner,
      lastActivity: this.clock.now(),
      name: input.name ?? input.infoHash,
      sources: initialSources(input),
      sourcesChanged: new AbortController(),
      addedAt: this.clock.now(),
      engine: undefined,
      failure: undefined,
      wanted: new Set(),
      metadata: Promise.resolve() as unknown as Promise<TorrentMeta>,
      abort: new AbortController(),
    };
    managed.metadata = this.attempts.fetch(managed, (engine, meta) => this.onMetadata(managed, engine, meta));
    managed.metadata.catch(() => undefined);
    this.torrents.set(input.infoHash, managed);
    return managed;
  }

  /**
   * A later add of a running torrent (a magnet after a bare hash, a .torrent after a magnet): what it
   * brings reaches the torrent. Before the metadata, the attempt restarts from the richer source (a
   * .torrent ends the wait at once); after it, only web seeds can still help, and are added live.
   */
  private takeSources(managed: ManagedTorrent, input: ParsedTorrentInput): void {
    if (managed.failure) return;
    if (managed.name === managed.infoHash && input.name) managed.name = input.name;
    const news = learnSources(managed.sources, input);
    if (!news.merged) return;
    managed.sources = news.merged;
    const engine = managed.engine;
    if (engine?.meta()) {
      if (news.webSeeds.length > 0) engine.addWebSeeds(news.webSeeds);
      return;
    }
    this.logger.info(
      { infoHash: managed.infoHash, metadata: news.metadata, trackers: news.trackers, webSeeds: news.webSeeds },
      'a later add brought new sources: restarting the metadata wait with them',
    );
    managed.sourcesChanged.abort();
  }

  has(infoHash: string): boolean {
    return this.torrents.has(infoHash);
  }

  /**
   * Stops torrents a stream request started that nobody has read for `idleMs` and that are not
   * finished (a player that closed after a minute, an addon result clicked by mistake). Torrents
   * added through the API are the user's library and keep downloading. Returns the stopped hashes.
   */
  async stopIdle(idleMs: number): Promise<string[]> {
    if (idleMs <= 0) return [];
    const now = this.clock.now();
    const idle = [...this.torrents.values()].filter((m) => {
      if (m.origin !== 'stream' || now - m.lastActivity < idleMs) return false;
      const view = this.view(m);
      return view.activeStreams === 0 && view.status !== 'complete';
    });
    for (const m of idle) await this.remove(m.infoHash, false);
    if (idle.length > 0)
      this.logger.info({ stopped: idle.map((m) => m.infoHash) }, 'stopped idle torrents nobody was watching');
    return idle.map((m) => m.infoHash);
  }

  /** Waits for metadata up to `timeoutMs`; METADATA_TIMEOUT when it does not come, TORRENT_FAILED when the torrent gave up. */
  waitForMetadata(infoHash: string, timeoutMs = this.options.timeoutMs): Promise<TorrentMeta> {
    const managed = this.require(infoHash);
    return withTimeout(
      this.clock,
      managed.metadata,
      timeoutMs,
      () =>
        new DomainError(
          'METADATA_TIMEOUT',
          `No metadata for ${infoHash} after ${Math.round(timeoutMs / 1000)} s: no peers found yet`,
        ),
    );
  }

  /** Marks a file as wanted: it downloads in the background and counts towards progress. */
  private async wantFile(infoHash: string, fileIndex: number): Promise<void> {
    const managed = this.require(infoHash);
    const engine = managed.engine;
    const file = engine?.meta()?.files[fileIndex];
    if (!engine || !file) throw new DomainError('FILE_NOT_FOUND', `File ${fileIndex} of ${infoHash} is not available`);
    if (managed.wanted.has(fileIndex)) return;
    if (!engine.isFileDone(fileIndex)) await this.storage.reserve(infoHash, fileIndex, file.length);
    engine.wantFile(fileIndex);
    managed.wanted.add(fileIndex);
  }

  /** Files someone asked for (streamed or the default video), for eviction and disk accounting. */
  wantedFiles(infoHash: string): ReadonlySet<number> {
    return this.torrents.get(infoHash)?.wanted ?? new Set();
  }

  get(infoHash: string): TorrentView | undefined {
    const managed = this.torrents.get(infoHash);
    return managed && this.view(managed);
  }

  list(): TorrentView[] {
    return [...this.torrents.values()].sort((a, b) => b.addedAt - a.addedAt).map((m) => this.view(m));
  }

  async remove(infoHash: string, deleteFiles: boolean): Promise<void> {
    const managed = this.torrents.get(infoHash);
    if (managed) this.forget(managed);
    await this.engine.remove(infoHash, { deleteFiles });
  }

  stats() {
    return { ...this.engine.stats(), activeTorrents: this.torrents.size };
  }

  /** Why the engine is down (a health check turns this into 503), or undefined while it works. */
  engineFailure(): string | undefined {
    return this.engine.failure();
  }

  async shutdown(): Promise<void> {
    for (const managed of this.torrents.values()) managed.abort.abort();
    this.torrents.clear();
    await this.engine.destroy();
  }

  private forget(managed: ManagedTorrent): void {
    managed.abort.abort();
    this.storage.releaseTorrent(managed.infoHash);
    if (this.torrents.get(managed.infoHash) === managed) this.torrents.delete(managed.infoHash);
  }

  private require(infoHash: string): ManagedTorrent {
    const managed = this.torrents.get(infoHash);
    if (!managed) throw notFound(`Torrent ${infoHash} not found`);
    return managed;
  }

  private view(managed: ManagedTorrent): TorrentView {
    return describeLiveTorrent({ ...managed, fallbackName: managed.name });
  }

  /** A running torrent died (its store failed): status `failed` with the reason, reservation freed. */
  private failRunning(managed: ManagedTorrent, err: Error): void {
    if (managed.failure || this.torrents.get(managed.infoHash) !== managed) return;
    const code = (err as { code?: unknown }).code;
    managed.failure =
      code === 'ENOSPC'
        ? 'The disk is full (ENOSPC): the download stopped; free space on the volume of DOWNLOAD_DIR and add it again'
        : `The download stopped: ${err.message}`;
    if (code === 'ENOSPC') this.diskFullAt = this.clock.now();
    this.storage.releaseTorrent(managed.infoHash);
    this.logger.error({ infoHash: managed.infoHash, reason: managed.failure }, 'torrent failed while downloading');
    this.engine.remove(managed.infoHash, { deleteFiles: false }).catch(() => undefined);
  }

  /** A warning for /health: the disk filled up recently (within 10 minutes). */
  diskWarning(): string | undefined {
    if (this.diskFullAt === undefined || this.clock.now() - this.diskFullAt > DISK_WARNING_MS) return undefined;
    return `The disk holding DOWNLOAD_DIR was full ${Math.round((this.clock.now() - this.diskFullAt) / 1000)} s ago: a download failed with ENOSPC`;
  }

  private async onMetadata(managed: ManagedTorrent, engine: EngineTorrent, meta: TorrentMeta): Promise<void> {
    managed.name = meta.name;
    const main = defaultFileIndex(meta.files);
    if (main !== undefined) await this.wantFile(managed.infoHash, main);
    // After metadata, an engine error (a full disk, a broken store) ends the torrent: say why, keep the process.
    engine.onError((err) => this.failRunning(managed, err));
    engine.onFileDone((fileIndex) => {
      // A BEP 47 pad file completes with its neighbour's last piece: not content, so nobody hears of it.
      if (isPadFile(meta.files[fileIndex]?.path ?? '')) return;
      const event = { infoHash: managed.infoHash, fileIndex, meta, path: engine.filePath(fileIndex) };
      for (const listener of this.fileDoneListeners) {
        try {
          listener(event);
        } catch (err) {
          this.logger.error({ err, infoHash: managed.infoHash }, 'file-done listener failed');
        }
      }
    });
  }
}
