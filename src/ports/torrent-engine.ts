import type { Readable } from 'node:stream';

/** What a torrent is made of, known once its metadata has arrived. */
export interface TorrentFileInfo {
  index: number;
  name: string;
  /** Path inside the torrent, '/'-separated (includes the torrent's folder for multi-file torrents). */
  path: string;
  length: number;
}

export interface TorrentMeta {
  infoHash: string;
  name: string;
  length: number;
  pieceLength: number;
  files: TorrentFileInfo[];
  /** The bencoded .torrent, kept so a cached torrent can be listed and re-added without peers. */
  torrentFile: Uint8Array;
}

/**
 * How to find a torrent: a magnet (also built from a bare info hash) or a .torrent file's bytes,
 * plus trackers and web seeds learnt from later adds of the same torrent.
 */
export type TorrentSource = (
  { kind: 'magnet'; infoHash: string; magnetUri: string } | { kind: 'torrent-file'; infoHash: string; data: Uint8Array }
) & { trackers?: readonly string[]; webSeeds?: readonly string[] };

export interface FileProgress {
  index: number;
  downloaded: number;
  progress: number;
  done: boolean;
}

export interface TorrentStats {
  downloaded: number;
  uploaded: number;
  downloadSpeed: number;
  uploadSpeed: number;
  numPeers: number;
  /** Read streams currently open (players connected to this torrent). */
  openStreams: number;
  files: FileProgress[];
}

export interface ReadOptions {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/** One torrent inside the engine. Reads are prioritised: pieces at the read position first. */
export interface EngineTorrent {
  readonly infoHash: string;
  /** Undefined until metadata has arrived. */
  meta(): TorrentMeta | undefined;
  /** Resolves with the metadata; rejects if the torrent errors or is removed first. */
  readonly ready: Promise<TorrentMeta>;
  stats(): TorrentStats;
  /** BEP 19 web seeds to fetch from as well (only once the metadata is known; before, start with them in the source). */
  addWebSeeds(urls: readonly string[]): void;
  /** Download this file in the background (it stays wanted until the torrent is removed). */
  wantFile(index: number): void;
  /** Ask for the head and tail of a file now, for players that read container indexes first. */
  prebuffer(index: number): void;
  /** A byte stream that waits for missing pieces, asking for them urgently. Destroy it to release them. */
  createReadStream(index: number, range: ReadOptions): Readable;
  /** Absolute path of the file on disk (may be incomplete). */
  filePath(index: number): string;
  isFileDone(index: number): boolean;
  /** Called once per file that finishes downloading (also for files already done when subscribing). */
  onFileDone(listener: (index: number) => void): () => void;
  /** Called if the torrent errors after being added. */
  onError(listener: (error: Error) => void): () => void;
}

export interface EngineStats {
  downloadSpeed: number;
  uploadSpeed: number;
  dht: { enabled: boolean; nodes: number };
}

export interface TorrentEngine {
  /**
   * Resolves once the engine listens for peers; rejects with a message a user can act on when it
   * cannot (TORRENT_PORT in use). The server does not start without it.
   */
  listening(): Promise<void>;
  /** Undefined while the engine works; the reason once it has died (every add then fails with ENGINE_UNAVAILABLE). */
  failure(): string | undefined;
  /** Starts fetching; returns at once. Adding a torrent already in the engine returns the existing one. */
  /** Throws ENGINE_UNAVAILABLE once the engine has failed. */
  add(source: TorrentSource): EngineTorrent;
  get(infoHash: string): EngineTorrent | undefined;
  remove(infoHash: string, options: { deleteFiles: boolean }): Promise<void>;
  list(): EngineTorrent[];
  stats(): EngineStats;
  destroy(): Promise<void>;
}
