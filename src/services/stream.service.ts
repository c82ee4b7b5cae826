import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { defaultFileIndex } from '../domain/default-file.js';
import { DomainError } from '../domain/errors.js';
import { mediaKind, mimeTypeFor } from '../domain/mime.js';
import type { ByteRange } from '../domain/range.js';
import type { TorrentMeta } from '../ports/torrent-engine.js';
import type { TorrentService } from './torrent.service.js';

/** A file ready to be served, whatever it comes from (the disk cache or a live torrent). */
export interface StreamTarget {
  infoHash: string;
  fileIndex: number;
  fileName: string;
  size: number;
  contentType: string;
  etag: string;
  lastModified: Date;
  source: 'cache' | 'disk' | 'torrent';
  open(range: ByteRange): Readable;
  /** Call once the response is over (releases the cache lease). */
  release(): void;
}

/** A finished file the cache can serve without the torrent engine. */
export interface CachedFile {
  fileIndex: number;
  fileName: string;
  size: number;
  absolutePath: string;
  createdAt: number;
  release(): void;
}

/** What the stream service needs from the cache (implemented by the cache service). */
export interface CachedFileLookup {
  /** A hit takes a lease (the file is not evicted until `release`). `fileIndex` undefined = the default file. */
  acquire(infoHash: string, fileIndex: number | undefined): Promise<CachedFile | undefined>;
  /** Marks a file as being read (not evictable) until the returned function is called. */
  lease(infoHash: string, fileIndex: number): () => void;
}

const DISK_READ_CHUNK = 256 * 1024;

export class StreamService {
  constructor(
    private readonly torrents: TorrentService,
    private readonly cache: CachedFileLookup | undefined,
  ) {}

  /** Finds the file to serve: the cache first, else the torrent (started from its hash if unknown). */
  async resolve(infoHash: string, fileIndex: number | undefined): Promise<StreamTarget> {
    const cached = await this.cache?.acquire(infoHash, fileIndex);
    if (cached) return diskTarget(infoHash, cached, 'cache', cached.release);

    if (!this.torrents.has(infoHash)) this.torrents.add({ infoHash, trackers: [] }, 'stream');
    this.torrents.noteActivity(infoHash);
    const meta = await this.torrents.waitForMetadata(infoHash);
    const index = pickFile(meta, fileIndex);
    await this.torrents.wantFile(infoHash, index);
    const engine = this.torrents.engineTorrent(infoHash);
    if (!engine) throw new DomainError('TORRENT_FAILED', `Torrent ${infoHash} is no longer active`);
    const file = meta.files[index]!;
    const createdAt = Date.parse(this.torrents.get(infoHash)?.addedAt ?? '') || Date.now();
    const lease = this.cache?.lease(infoHash, index);
    const release = () => {
      lease?.();
      this.torrents.noteActivity(infoHash); // idle time counts from the end of the last read
    };
    if (engine.isFileDone(index)) {
      return diskTarget(infoHash, { fileIndex: index, fileName: file.name, size: file.length, absolutePath: engine.filePath(index), createdAt, release }, 'disk', release);
    }
    if (mediaKind(file.name) === 'video') engine.prebuffer(index);
    return {
      ...describe(infoHash, index, file.name, file.length, createdAt),
      source: 'torrent',
      open: (range) => engine.createReadStream(index, range),
      release,
    };
  }
}

function pickFile(meta: TorrentMeta, fileIndex: number | undefined): number {
  const index = fileIndex ?? defaultFileIndex(meta.files);
  if (index === undefined || !meta.files[index]) {
    throw new DomainError('FILE_NOT_FOUND', `File index ${fileIndex} does not exist; torrent ${meta.infoHash} has ${meta.files.length} file(s)`);
  }
  return index;
}

function describe(infoHash: string, fileIndex: number, fileName: string, size: number, createdAt: number) {
  return {
    infoHash,
    fileIndex,
    fileName,
    size,
    contentType: mimeTypeFor(fileName),
    // Content is identified by the info hash, so it never changes: a strong validator is honest.
    etag: `"${infoHash}-${fileIndex}-${size}"`,
    lastModified: new Date(Math.floor(createdAt / 1000) * 1000),
  };
}

function diskTarget(infoHash: string, file: CachedFile, source: 'cache' | 'disk', release: () => void): StreamTarget {
  let released = false;
  return {
    ...describe(infoHash, file.fileIndex, file.fileName, file.size, file.createdAt),
    source,
    open: (range) => createReadStream(file.absolutePath, { start: range.start, end: range.end, highWaterMark: DISK_READ_CHUNK }),
    release: () => {
      if (released) return;
      released = true;
      release();
    },
  };
}
