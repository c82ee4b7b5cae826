import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { CacheEntry, CacheIndex } from '../ports/cache-index.js';
import type { Clock } from '../ports/clock.js';
import type { Disk } from '../ports/disk.js';
import type { FileStore } from '../ports/file-store.js';
import type { StoredTorrent, TorrentMetaStore } from '../ports/torrent-meta-store.js';
import { isPadFile } from '../domain/pad-file.js';
import type { NodeIdentity } from './node-identity.js';

export interface RebuildResult {
  /** Torrent folders looked at (active torrents and folders without a stored .torrent are passed over). */
  scanned: number;
  /** Files put back into the index now (complete by size and allocation). */
  indexed: number;
  /** Files already in the index. */
  alreadyIndexed: number;
  /** Files of full size but not fully allocated (sparse, maybe partial): their pieces are checked in the background. */
  verifying: number;
  /** Files missing or short: a later stream downloads them again. */
  skipped: number;
  durationMs: number;
}

interface Parts {
  index: CacheIndex;
  metaStore: TorrentMetaStore;
  disk: Disk;
  files: FileStore;
  downloadDir: string;
  clock: Clock;
  logger: Logger;
  /** The entries put back name this node: the files are on its disk. */
  node?: NodeIdentity;
}

const HASH_DIR = /^[0-9a-f]{40}$/;

/**
 * Rebuilds index entries from what is on disk: DOWNLOAD_DIR/<infoHash>/ plus the stored .torrent. A
 * file of the right size whose blocks are all allocated was written in full (webtorrent writes only
 * verified pieces, and a partial download leaves holes), so it is indexed at once; a full-size file with
 * holes has its pieces checked against the .torrent's SHA-1s first (`verified` settles when that is done).
 * A lost index (an empty Redis, a deleted or corrupt cache.db) then costs a scan, not the library.
 */
export async function rebuildIndex(
  parts: Parts,
  isActive: (infoHash: string) => boolean,
  onIndexed: (entry: CacheEntry) => void,
): Promise<{ result: RebuildResult; verified: Promise<number> }> {
  const started = parts.clock.now();
  const result: RebuildResult = { scanned: 0, indexed: 0, alreadyIndexed: 0, verifying: 0, skipped: 0, durationMs: 0 };
  const toVerify: Array<{ stored: StoredTorrent; fileIndex: number }> = [];
  const dirs = (await parts.disk.list(parts.downloadDir)).filter((d) => d.isDirectory && HASH_DIR.test(d.name));
  for (const dir of dirs) {
    const infoHash = dir.name;
    if (isActive(infoHash)) continue;
    const stored = await parts.metaStore.load(infoHash);
    if (!stored) continue;
    result.scanned++;
    const indexed = new Set((await parts.index.listByTorrent(infoHash)).map((e) => e.fileIndex));
    const onDisk = new Map(
      (await parts.disk.walkFiles(path.join(parts.downloadDir, infoHash))).map((f) => [f.relativePath, f.bytes]),
    );
    for (const file of stored.files.filter((f) => !isPadFile(f.path))) {
      if (indexed.has(file.index)) {
        result.alreadyIndexed++;
        continue;
      }
      const size = await parts.disk.fileSize(absolutePath(parts.downloadDir, infoHash, file.path));
      if (size !== file.length) {
        if (size !== undefined) result.skipped++;
        continue;
      }
      if ((onDisk.get(file.path) ?? 0) >= file.length) {
        await record(parts, stored, file.index, onIndexed);
        result.indexed++;
      } else if (stored.pieces && stored.pieceLength) {
        toVerify.push({ stored, fileIndex: file.index });
        result.verifying++;
      } else {
        result.skipped++;
      }
    }
  }
  result.durationMs = parts.clock.now() - started;
  const verified = verifyAll(parts, toVerify, onIndexed);
  return { result, verified };
}

async function verifyAll(
  parts: Parts,
  queue: Array<{ stored: StoredTorrent; fileIndex: number }>,
  onIndexed: (entry: CacheEntry) => void,
): Promise<number> {
  let good = 0;
  for (const { stored, fileIndex } of queue) {
    try {
      if (await piecesMatch(parts, stored, fileIndex)) {
        await record(parts, stored, fileIndex, onIndexed);
        good++;
      } else {
        parts.logger.info(
          { infoHash: stored.infoHash, fileIndex },
          'rebuild: file on disk does not match its pieces; left to download again',
        );
      }
    } catch (err) {
      parts.logger.warn(
        { infoHash: stored.infoHash, fileIndex, err: (err as Error).message },
        'rebuild: could not verify a file',
      );
    }
  }
  return good;
}

async function record(
  parts: Parts,
  stored: StoredTorrent,
  fileIndex: number,
  onIndexed: (entry: CacheEntry) => void,
): Promise<void> {
  const file = stored.files[fileIndex]!;
  const now = parts.clock.now();
  const entry: CacheEntry = {
    infoHash: stored.infoHash,
    fileIndex,
    path: `${stored.infoHash}/${file.path}`,
    size: file.length,
    torrentName: stored.name,
    fileName: file.name,
    createdAt: now,
    lastAccessed: now,
    hits: 0,
    ...(parts.node ? { node: parts.node.id, nodeUrl: parts.node.url } : {}),
  };
  await parts.index.upsert(entry);
  onIndexed(entry);
}

/** Every piece that covers the file hashes to the .torrent's SHA-1 (neighbour files are read for shared pieces). */
async function piecesMatch(parts: Parts, stored: StoredTorrent, fileIndex: number): Promise<boolean> {
  const pieceLength = stored.pieceLength!;
  const pieces = stored.pieces!;
  const offsets: number[] = [];
  let total = 0;
  for (const f of stored.files) {
    offsets.push(total);
    total += f.length;
  }
  const file = stored.files[fileIndex]!;
  if (file.length === 0) return true;
  const first = Math.floor(offsets[fileIndex]! / pieceLength);
  const last = Math.floor((offsets[fileIndex]! + file.length - 1) / pieceLength);
  for (let p = first; p <= last; p++) {
    const start = p * pieceLength;
    const end = Math.min(total, start + pieceLength) - 1;
    const hash = createHash('sha1');
    for (let i = 0; i < stored.files.length; i++) {
      const fStart = offsets[i]!;
      const fEnd = fStart + stored.files[i]!.length - 1;
      if (fEnd < start || fStart > end || stored.files[i]!.length === 0) continue;
      const from = Math.max(start, fStart) - fStart;
      const to = Math.min(end, fEnd) - fStart;
      for await (const chunk of parts.files.open(
        absolutePath(parts.downloadDir, stored.infoHash, stored.files[i]!.path),
        { start: from, end: to },
      )) {
        hash.update(chunk as Buffer);
      }
    }
    if (hash.digest('hex') !== pieces[p]) return false;
  }
  return true;
}

const absolutePath = (downloadDir: string, infoHash: string, filePath: string) =>
  path.join(downloadDir, infoHash, ...filePath.split('/'));
