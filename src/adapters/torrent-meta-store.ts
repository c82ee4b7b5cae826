import { mkdir, readFile, readdir, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { parseTorrentFile } from '../domain/torrent-input.js';
import type { StoredTorrent, TorrentMetaStore } from '../ports/torrent-meta-store.js';

/** Keeps each torrent's .torrent file as DOWNLOAD_DIR/.torrents/<hash>.torrent, parsed once per process. */
export class FileTorrentMetaStore implements TorrentMetaStore {
  private readonly memo = new Map<string, StoredTorrent | null>();

  constructor(private readonly dir: string) {}

  async save(infoHash: string, torrentFile: Uint8Array): Promise<void> {
    if (this.memo.get(infoHash)) return;
    await mkdir(this.dir, { recursive: true });
    const file = this.file(infoHash);
    await writeFile(`${file}.tmp`, torrentFile);
    await rename(`${file}.tmp`, file); // never a half-written .torrent after a crash
    this.memo.delete(infoHash);
  }

  async load(infoHash: string): Promise<StoredTorrent | undefined> {
    if (this.memo.has(infoHash)) return this.memo.get(infoHash) ?? undefined;
    let stored: StoredTorrent | null = null;
    try {
      const parsed = await parseTorrentFile(await readFile(this.file(infoHash)));
      stored = {
        infoHash,
        name: parsed.name ?? infoHash,
        files: (parsed.files ?? []).map((f, index) => ({
          index,
          name: f.path.split('/').pop() ?? f.path,
          path: f.path,
          length: f.length,
        })),
        ...(parsed.pieces && parsed.pieceLength ? { pieces: parsed.pieces, pieceLength: parsed.pieceLength } : {}),
      };
    } catch {
      stored = null; // missing or unreadable: the torrent is simply not known here
    }
    this.memo.set(infoHash, stored);
    return stored ?? undefined;
  }

  async remove(infoHash: string): Promise<void> {
    this.memo.delete(infoHash);
    await rm(this.file(infoHash), { force: true });
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => n.endsWith('.torrent')).map((n) => n.slice(0, -'.torrent'.length));
    } catch {
      return [];
    }
  }

  private file(infoHash: string): string {
    return path.join(this.dir, `${infoHash}.torrent`);
  }
}
