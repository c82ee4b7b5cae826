import type { TorrentFileInfo } from './torrent-engine.js';

/** What a stored .torrent tells without peers: its name and files. */
export interface StoredTorrent {
  infoHash: string;
  name: string;
  files: TorrentFileInfo[];
  /** Piece size and SHA-1s (hex), when the .torrent has them: what a rebuild verifies files against. */
  pieceLength?: number;
  pieces?: readonly string[];
}

/**
 * Where each cached torrent's .torrent file is kept, so a cached torrent can be listed, and its
 * default file chosen, after a restart and with no peers around.
 */
export interface TorrentMetaStore {
  /** Stores the bencoded .torrent (atomically: never half-written after a crash). */
  save(infoHash: string, torrentFile: Uint8Array): Promise<void>;
  /** Undefined when missing or unreadable. */
  load(infoHash: string): Promise<StoredTorrent | undefined>;
  remove(infoHash: string): Promise<void>;
  /** Info hashes with a stored .torrent. */
  list(): Promise<string[]>;
}
