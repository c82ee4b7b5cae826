// Minimal types for the parts of webtorrent@2.8 we use (it ships none; @types/webtorrent is stale).
declare module 'webtorrent' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface WebTorrentOptions {
    maxConns?: number;
    dht?: boolean | Record<string, unknown>;
    tracker?: boolean | Record<string, unknown>;
    lsd?: boolean;
    utp?: boolean;
    utPex?: boolean;
    natUpnp?: boolean;
    natPmp?: boolean;
    webSeeds?: boolean;
    torrentPort?: number;
    dhtPort?: number;
    downloadLimit?: number;
    uploadLimit?: number;
  }

  export interface AddOptions {
    announce?: string[];
    urlList?: string[];
    path?: string;
    deselect?: boolean;
    strategy?: 'sequential' | 'rarest';
    storeCacheSlots?: number;
    destroyStoreOnDestroy?: boolean;
  }

  export interface TorrentFile extends EventEmitter {
    name: string;
    path: string;
    length: number;
    offset: number;
    downloaded: number;
    progress: number;
    done: boolean;
    _startPiece: number;
    _endPiece: number;
    select(priority?: number): void;
    deselect(): void;
    createReadStream(opts?: { start?: number; end?: number }): Readable;
  }

  export interface Torrent extends EventEmitter {
    infoHash: string;
    name: string;
    ready: boolean;
    done: boolean;
    destroyed: boolean;
    length: number;
    pieceLength: number;
    pieces: unknown[];
    files: TorrentFile[];
    torrentFile: Uint8Array;
    downloaded: number;
    uploaded: number;
    downloadSpeed: number;
    uploadSpeed: number;
    numPeers: number;
    progress: number;
    path: string;
    bitfield: { get(index: number): boolean };
    select(start: number, end: number, priority?: number): void;
    deselect(start: number, end: number): void;
    critical(start: number, end: number): void;
    /** Private in webtorrent, stable in 2.8.x: stream selections are counted, not merged. */
    _select(
      start: number,
      end: number,
      priority: number,
      notify: (() => void) | null,
      isStreamSelection: boolean,
    ): void;
    _deselect(start: number, end: number, isStreamSelection: boolean): void;
    destroy(opts?: { destroyStore?: boolean }, cb?: (err?: Error) => void): void;
    addWebSeed(url: string): void;
  }

  export default class WebTorrent extends EventEmitter {
    constructor(opts?: WebTorrentOptions);
    torrents: Torrent[];
    downloadSpeed: number;
    uploadSpeed: number;
    destroyed: boolean;
    dht?: { toJSON(): { nodes: unknown[] }; nodes?: { count(): number } } | false;
    torrentPort: number;
    add(torrentId: string | Uint8Array, opts?: AddOptions, onTorrent?: (t: Torrent) => void): Torrent;
    seed(input: unknown, opts?: Record<string, unknown>, onSeed?: (t: Torrent) => void): Torrent;
    get(torrentId: string | Torrent): Promise<Torrent | null>;
    remove(torrentId: string | Torrent, opts?: { destroyStore?: boolean }, cb?: (err?: Error) => void): Promise<void>;
    address(): { address: string; port: number } | null;
    destroy(cb?: (err?: Error) => void): void;
  }
}
