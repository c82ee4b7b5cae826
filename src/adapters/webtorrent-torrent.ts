import { Transform, type Readable, type TransformCallback } from 'node:stream';
import path from 'node:path';
import type { Torrent, TorrentFile } from 'webtorrent';
import { DomainError } from '../domain/errors.js';
import type { EngineTorrent, ReadOptions, TorrentMeta, TorrentStats } from '../ports/torrent-engine.js';
import { isInside, onDiskPath } from './webtorrent-paths.js';
import {
  probeWithWantedPiece,
  requestAtOnce,
  shareCriticalPieces,
  tuneWire,
  type TunableTorrent,
  type TunableWire,
} from './webtorrent-wires.js';

/**
 * Priorities of our stream selections; webtorrent's own stream selection of a read uses 1. The first
 * pieces a read waits on come before everything, the newest read's first (a player that seeks again
 * wants the new position now); the speculative head and tail of a video come next, then readahead.
 */
const READAHEAD_PRIORITY = 2;
const PREBUFFER_PRIORITY = 3;
const URGENT_PRIORITY = 4;
/** How much of a read is urgent: what a player's first range request asks for. */
const URGENT_BYTES = 1024 * 1024;
let urgentSequence = 0;
/** A video's head and tail are fetched this long after it was opened if no read asked first. */
const PREBUFFER_DELAY_MS = 50;
const MIB = 1024 * 1024;

/**
 * One webtorrent torrent behind the EngineTorrent port. Owns the read streams it hands out, so that
 * removing the torrent can end them first (a webtorrent stream waiting on a piece never closes otherwise).
 */
export class WebTorrentHandle implements EngineTorrent {
  readonly ready: Promise<TorrentMeta>;
  private readonly streams = new Set<Readable>();
  private readonly wanted = new Set<number>();
  private readonly prebuffered = new Set<number>();
  private readonly pendingPrebuffer = new Map<number, () => void>();
  private cachedMeta: TorrentMeta | undefined;

  constructor(
    readonly infoHash: string,
    private readonly torrent: Torrent,
    private readonly torrentDir: string,
    /** A read that gets no data for this long while its reader waits fails with STREAM_STALLED. */
    private readonly stallTimeoutMs: number,
  ) {
    this.ready = new Promise<TorrentMeta>((resolve, reject) => {
      torrent.once('metadata', () => {
        const unsafe = torrent.files.find((f) => !isInside(torrentDir, onDiskPath(torrentDir, f.path)));
        if (unsafe) {
          const error = new DomainError(
            'UNSAFE_PATH',
            `Refused: file path "${unsafe.path}" would escape the download directory`,
          );
          reject(error);
          torrent.destroy({ destroyStore: false });
        }
      });
      torrent.once('ready', () => resolve(this.buildMeta()));
      torrent.once('error', (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
      torrent.once('close', () =>
        reject(new DomainError('TORRENT_FAILED', 'Torrent was removed before its metadata arrived')),
      );
    });
    this.ready.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
    torrent.on('wire', (wire: TunableWire) => tuneWire(torrent as unknown as TunableTorrent, wire));
    shareCriticalPieces(torrent as unknown as TunableTorrent);
    probeWithWantedPiece(torrent as unknown as TunableTorrent);
  }

  addWebSeeds(urls: readonly string[]): void {
    if (this.torrent.destroyed || !this.torrent.ready) return;
    for (const url of urls) this.torrent.addWebSeed(url);
  }

  meta(): TorrentMeta | undefined {
    return this.torrent.ready ? this.buildMeta() : undefined;
  }

  private buildMeta(): TorrentMeta {
    this.cachedMeta ??= {
      infoHash: this.infoHash,
      name: this.torrent.name,
      length: this.torrent.length,
      pieceLength: this.torrent.pieceLength,
      files: this.torrent.files.map((f, index) => ({
        index,
        name: f.name,
        path: f.path.split(path.sep).join('/'),
        length: f.length,
      })),
      torrentFile: this.torrent.torrentFile,
    };
    return this.cachedMeta;
  }

  stats(): TorrentStats {
    const t = this.torrent;
    return {
      downloaded: t.downloaded,
      uploaded: t.uploaded,
      downloadSpeed: t.downloadSpeed,
      uploadSpeed: t.uploadSpeed,
      numPeers: t.numPeers,
      openStreams: this.streams.size,
      files: t.ready
        ? t.files.map((f, index) => ({ index, downloaded: f.downloaded, progress: f.progress, done: f.done }))
        : [],
    };
  }

  private file(index: number): TorrentFile {
    const file = this.torrent.files[index];
    if (!file)
      throw new DomainError('FILE_NOT_FOUND', `File index ${index} does not exist in torrent ${this.infoHash}`);
    return file;
  }

  wantFile(index: number): void {
    if (this.wanted.has(index)) return;
    this.file(index).select();
    this.wanted.add(index);
  }

  prebuffer(index: number): void {
    const file = this.file(index);
    if (this.prebuffered.has(index) || file.done) return;
    this.prebuffered.add(index);
    const pieces = Math.max(
      1,
      Math.ceil(Math.min(Math.max(file.length * 0.01, 2 * MIB), 16 * MIB) / this.torrent.pieceLength),
    );
    const first = file._startPiece;
    const last = file._endPiece;
    // After the read that asked for it has requested its own first blocks (createReadStream runs it),
    // or shortly after if no read comes (a HEAD, a probe): the reader's piece never queues behind it.
    const run = () => {
      clearTimeout(timer);
      if (this.pendingPrebuffer.get(index) !== run) return;
      this.pendingPrebuffer.delete(index);
      if (this.torrent.destroyed) return;
      this.torrent._select(first, Math.min(first + pieces - 1, last), PREBUFFER_PRIORITY, null, true);
      this.torrent._select(Math.max(last - pieces + 1, first), last, PREBUFFER_PRIORITY, null, true);
    };
    const timer = setTimeout(run, PREBUFFER_DELAY_MS);
    timer.unref();
    this.pendingPrebuffer.set(index, run);
  }

  createReadStream(index: number, range: ReadOptions): Readable {
    const file = this.file(index);
    // webtorrent reads `end: 0` as "to the end"; ask for at least two bytes and trim below.
    const source = file.createReadStream({
      start: range.start,
      end: Math.max(range.end, Math.min(range.start + 1, file.length - 1)),
    });
    const window = new ReadaheadWindow(this.torrent, file, range.start);
    this.pendingPrebuffer.get(index)?.();
    const stream = source.pipe(
      new ByteLimit(
        range.end - range.start + 1,
        (delivered) => window.advance(range.start + delivered),
        this.stallTimeoutMs,
      ),
    );
    const release = () => {
      window.close();
      window.dropUrgent();
      this.streams.delete(stream);
      if (!source.destroyed) source.destroy();
    };
    stream.once('close', release);
    source.once('error', (err) => stream.destroy(err));
    this.streams.add(stream);
    return stream;
  }

  filePath(index: number): string {
    return onDiskPath(this.torrentDir, this.file(index).path);
  }

  isFileDone(index: number): boolean {
    return this.file(index).done;
  }

  onFileDone(listener: (index: number) => void): () => void {
    const detach: Array<() => void> = [];
    const attach = () => {
      this.torrent.files.forEach((file, index) => {
        if (file.done) return listener(index);
        const onDone = () => listener(index);
        file.once('done', onDone);
        detach.push(() => file.removeListener('done', onDone));
      });
    };
    if (this.torrent.ready) attach();
    else {
      this.torrent.once('ready', attach);
      detach.push(() => this.torrent.removeListener('ready', attach));
    }
    return () => detach.forEach((fn) => fn());
  }

  onError(listener: (error: Error) => void): () => void {
    this.torrent.on('error', listener);
    return () => this.torrent.removeListener('error', listener);
  }

  /** Ends every open read stream; call before destroying the torrent. */
  endStreams(): void {
    for (const s of this.streams) s.destroy();
    this.streams.clear();
  }

  destroy(deleteFiles: boolean): Promise<void> {
    this.endStreams();
    return new Promise((resolve) => {
      if (this.torrent.destroyed) return resolve();
      this.torrent.destroy({ destroyStore: deleteFiles }, () => resolve());
    });
  }
}

/**
 * Keeps the pieces just ahead of a reader at a higher priority than the rest of its range, and
 * moves with it, so a player's next seconds arrive before far-ahead pieces of other readers.
 */
class ReadaheadWindow {
  private from = -1;
  private to = -1;
  private readonly span: number;
  /** The pieces under the reader when it started, until it moves past them or closes. */
  private urgent: { from: number; to: number } | undefined;

  constructor(
    private readonly torrent: Torrent,
    private readonly file: TorrentFile,
    position: number,
  ) {
    const bytes = Math.min(Math.max(8 * MIB, file.length * 0.02), 64 * MIB);
    this.span = Math.max(2, Math.ceil(bytes / torrent.pieceLength));
    const first = this.pieceAt(position);
    const last = Math.min(this.pieceAt(Math.min(position + URGENT_BYTES, file.length) - 1), file._endPiece);
    if (first <= last && !torrent.destroyed) {
      this.urgent = { from: first, to: last };
      urgentSequence = (urgentSequence + 1) % 1_000_000;
      torrent._select(first, last, URGENT_PRIORITY + urgentSequence / 1_000_000, null, true);
      if (torrent.ready) requestAtOnce(torrent as unknown as TunableTorrent, first, Math.min(first + 1, last));
    }
    this.advance(position);
  }

  private pieceAt(position: number): number {
    return Math.floor((this.file.offset + position) / this.torrent.pieceLength);
  }

  advance(position: number): void {
    if (this.torrent.destroyed) return;
    const piece = this.pieceAt(position);
    if (this.urgent && piece > this.urgent.to) this.dropUrgent();
    if (this.from !== -1 && piece < this.from + Math.ceil(this.span / 4)) return; // move in steps, not per chunk
    const to = Math.min(piece + this.span - 1, this.file._endPiece);
    this.close();
    if (piece > to) return;
    this.from = piece;
    this.to = to;
    this.torrent._select(this.from, this.to, READAHEAD_PRIORITY, null, true);
  }

  close(): void {
    if (this.from === -1) return;
    if (!this.torrent.destroyed) this.torrent._deselect(this.from, this.to, true);
    this.from = this.to = -1;
  }

  /** Ends the urgent selection (the reader moved on, or left). */
  dropUrgent(): void {
    if (!this.urgent) return;
    if (!this.torrent.destroyed) this.torrent._deselect(this.urgent.from, this.urgent.to, true);
    this.urgent = undefined;
  }
}

/**
 * Passes exactly `limit` bytes, reporting progress, then ends (guards webtorrent's over-long reads).
 * Fails with STREAM_STALLED when the reader waits and no data comes for `stallMs` (no peer has the
 * piece): no request waits forever. A slow reader (data buffered here) never counts as a stall.
 */
class ByteLimit extends Transform {
  private delivered = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly onProgress: (delivered: number) => void,
    private readonly stallMs: number,
  ) {
    super();
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.readableLength > 0 || this.writableLength > 0) return this.arm();
      this.destroy(
        new DomainError(
          'STREAM_STALLED',
          `No data for ${Math.round(this.stallMs / 1000)} s: no connected peer has the pieces needed here`,
        ),
      );
    }, this.stallMs);
    this.timer.unref();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    const remaining = this.limit - this.delivered;
    if (remaining <= 0) return callback();
    const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
    this.delivered += part.length;
    this.push(part);
    this.onProgress(this.delivered);
    if (this.delivered >= this.limit) {
      clearTimeout(this.timer);
      this.push(null);
    } else {
      this.arm();
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    callback(error);
  }
}
