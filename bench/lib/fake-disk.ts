import path from 'node:path';
import type { Disk } from '../../src/ports/disk.js';

export class BenchDeadline extends Error {}

/**
 * The Disk port without a disk: one folder per torrent, kept in memory, so an eviction pass over
 * 100k entries measures the cleaner and the index, not 100k unlink calls. It records when the
 * orphan scan starts (its first `list`) and aborts the pass, by throwing, past `deadline`.
 */
export class FakeDisk implements Disk {
  orphanScanStartedAt: number | undefined;
  removedFiles = 0;
  private readonly dirs = new Map<string, { relativePath: string; bytes: number }>();

  constructor(
    private readonly downloadDir: string,
    public deadline: number,
  ) {}

  addTorrent(infoHash: string, relativePath: string, bytes: number): void {
    this.dirs.set(infoHash, { relativePath, bytes });
  }

  async fileSize(): Promise<number | undefined> {
    this.check();
    return undefined;
  }

  async freeBytes(): Promise<number> {
    this.check();
    return Number.MAX_SAFE_INTEGER;
  }

  async removeFile(): Promise<void> {
    this.check();
    this.removedFiles++;
  }

  async removeDir(absolutePath: string): Promise<void> {
    this.dirs.delete(path.basename(absolutePath));
  }

  async list(dir: string): Promise<Array<{ name: string; isDirectory: boolean; mtimeMs: number }>> {
    this.check();
    this.orphanScanStartedAt ??= performance.now();
    if (dir !== this.downloadDir) return [];
    const now = Date.now();
    return [...this.dirs.keys()].map((name) => ({ name, isDirectory: true, mtimeMs: now }));
  }

  async walkFiles(dir: string): Promise<Array<{ relativePath: string; bytes: number; mtimeMs: number }>> {
    this.check();
    const file = this.dirs.get(path.basename(dir));
    return file ? [{ ...file, mtimeMs: Date.now() }] : [];
  }

  private check(): void {
    if (performance.now() > this.deadline) throw new BenchDeadline('bench time budget for this pass is used up');
  }
}
