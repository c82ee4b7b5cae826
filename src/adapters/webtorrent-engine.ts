import { rm } from 'node:fs/promises';
import path from 'node:path';
import WebTorrent from 'webtorrent';
import { DomainError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { EngineStats, EngineTorrent, TorrentEngine, TorrentSource } from '../ports/torrent-engine.js';
import { installDualDial } from './webtorrent-dual-dial.js';
import { WebTorrentHandle } from './webtorrent-torrent.js';

export interface WebTorrentEngineOptions {
  downloadDir: string;
  /** Added to every torrent's own trackers. */
  trackers: readonly string[];
  dht: boolean;
  /** uTP beside TCP (dialled side by side, both accepted); false = TCP only. */
  utp: boolean;
  /** host:port routers to join the DHT through; undefined = webtorrent's public defaults. */
  dhtBootstrap?: readonly string[] | undefined;
  maxConnections: number;
  /** KiB/s, 0 = unlimited. */
  downloadLimitKiB: number;
  uploadLimitKiB: number;
  /** 0 = any free port. */
  peerPort: number;
  /** A read waiting this long for data fails (TORRENT_TIMEOUT). */
  stallTimeoutMs: number;
  /** Local peer discovery and NAT traversal; off in tests (loopback swarm). */
  lanFeatures: boolean;
  logger: Logger;
}

/** The only module that creates a WebTorrent client. Each torrent lives under DOWNLOAD_DIR/<infoHash>/. */
export class WebTorrentEngine implements TorrentEngine {
  private readonly client: WebTorrent;
  private readonly handles = new Map<string, WebTorrentHandle>();
  private readonly listeningPromise: Promise<void>;
  private diedOf: string | undefined;
  private destroying = false;

  constructor(private readonly options: WebTorrentEngineOptions) {
    const limit = (kib: number) => (kib > 0 ? kib * 1024 : -1);
    this.client = new WebTorrent({
      maxConns: options.maxConnections,
      // A private deployment (or a test) can point the DHT at its own routers.
      dht: options.dht && options.dhtBootstrap ? { bootstrap: [...options.dhtBootstrap] } : options.dht,
      lsd: options.lanFeatures,
      // webtorrent alone dials uTP first and reaches a TCP-only peer only ~40 s later; with the dial
      // raced (webtorrent-dual-dial.ts) both kinds of peer connect at once. Without utp-native: TCP only.
      utp: options.utp && installDualDial(),
      natUpnp: options.lanFeatures,
      natPmp: options.lanFeatures,
      torrentPort: options.peerPort,
      downloadLimit: limit(options.downloadLimitKiB),
      uploadLimit: limit(options.uploadLimitKiB),
    });
    // Client-level errors must not crash the process; torrents report their own. A TCP listen error
    // destroys the whole client (webtorrent's conn-pool), after which every add would fail obscurely.
    this.listeningPromise = new Promise<void>((resolve, reject) => {
      this.client.once('listening', () => resolve());
      this.client.on('error', (err: unknown) => {
        if (this.client.destroyed && !this.diedOf) {
          this.diedOf = describeEngineError(err, options.peerPort);
          reject(new Error(this.diedOf));
        }
        options.logger.error({ err }, 'torrent client error');
      });
    });
    this.listeningPromise.catch(() => undefined);
  }

  listening(): Promise<void> {
    return this.listeningPromise;
  }

  failure(): string | undefined {
    return this.diedOf ?? (this.client.destroyed && !this.destroying ? 'the torrent engine was destroyed' : undefined);
  }

  add(source: TorrentSource): EngineTorrent {
    const failure = this.failure();
    if (failure) throw new DomainError('ENGINE_UNAVAILABLE', `The torrent engine is not running: ${failure}`);
    const existing = this.handles.get(source.infoHash);
    if (existing) return existing;
    const torrentDir = path.join(this.options.downloadDir, source.infoHash);
    const torrent = this.client.add(source.kind === 'magnet' ? source.magnetUri : source.data, {
      announce: [...this.options.trackers, ...(source.trackers ?? [])],
      ...(source.webSeeds?.length ? { urlList: [...source.webSeeds] } : {}),
      path: torrentDir,
      deselect: true, // files nobody asked for are never downloaded
      strategy: 'sequential',
    });
    boundStoreCache(torrent);
    torrent.on('warning', (err: unknown) =>
      this.options.logger.debug({ infoHash: source.infoHash, err: String(err) }, 'torrent warning'),
    );
    torrent.on('error', (err: unknown) =>
      this.options.logger.warn({ infoHash: source.infoHash, err: String(err) }, 'torrent error'),
    );
    const handle = new WebTorrentHandle(source.infoHash, torrent, torrentDir, this.options.stallTimeoutMs);
    this.handles.set(source.infoHash, handle);
    torrent.once('close', () => {
      if (this.handles.get(source.infoHash) === handle) this.handles.delete(source.infoHash);
    });
    return handle;
  }

  get(infoHash: string): EngineTorrent | undefined {
    return this.handles.get(infoHash);
  }

  list(): EngineTorrent[] {
    return [...this.handles.values()];
  }

  async remove(infoHash: string, { deleteFiles }: { deleteFiles: boolean }): Promise<void> {
    const handle = this.handles.get(infoHash);
    this.handles.delete(infoHash);
    if (handle) await handle.destroy(deleteFiles);
    if (deleteFiles) await rm(path.join(this.options.downloadDir, infoHash), { recursive: true, force: true });
  }

  stats(): EngineStats {
    const dht = this.client.dht;
    let nodes = 0;
    if (dht) {
      const table = (dht as { nodes?: { count?: () => number } }).nodes;
      nodes = typeof table?.count === 'function' ? table.count() : 0;
    }
    return {
      downloadSpeed: this.client.downloadSpeed,
      uploadSpeed: this.client.uploadSpeed,
      dht: { enabled: this.options.dht, nodes },
    };
  }

  /** Ends every stream first: a webtorrent stream waiting on a piece would otherwise hang shutdown. */
  async destroy(): Promise<void> {
    this.destroying = true;
    for (const handle of this.handles.values()) handle.endStreams();
    this.handles.clear();
    if (this.client.destroyed) return;
    await new Promise<void>((resolve) => this.client.destroy(() => resolve()));
  }
}

/**
 * webtorrent keeps the last 20 pieces read from a torrent's store in memory (its `storeCacheSlots`),
 * each a whole piece even for a peer's 16 KiB request: 20 x the piece size per torrent, 80 MiB for
 * 4 MiB pieces. Measured, a 128 MiB torrent with 4 MiB pieces seeded to 4 peers held 138 MiB of
 * Buffers. The slots are bounded by bytes instead (the OS page cache serves re-reads just as well):
 * at most STORE_CACHE_BYTES per torrent, never more than webtorrent's 20 slots. The piece size is
 * known only with the metadata, when webtorrent reads `_storeCacheSlots` to build the store.
 */
const STORE_CACHE_BYTES = 4 * 1024 * 1024;
const STORE_CACHE_MAX_SLOTS = 20;

function boundStoreCache(torrent: object): void {
  const t = torrent as { pieceLength?: number };
  Object.defineProperty(torrent, '_storeCacheSlots', {
    configurable: true,
    get: () => Math.min(STORE_CACHE_MAX_SLOTS, Math.floor(STORE_CACHE_BYTES / Math.max(1, t.pieceLength ?? 0))),
    set: () => undefined,
  });
}

function describeEngineError(err: unknown, peerPort: number): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'EADDRINUSE')
    return `TORRENT_PORT ${peerPort} is in use: set TORRENT_PORT=0 for any free port, or free it`;
  if (code === 'EACCES')
    return `TORRENT_PORT ${peerPort} needs privileges this process lacks: choose a port above 1023`;
  return `the torrent engine failed: ${err instanceof Error ? err.message : String(err)}`;
}
