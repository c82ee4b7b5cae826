import { close, open, read, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { FileStore } from '../ports/file-store.js';

/** Large reads: fewer syscalls and fewer chunks through the response for cached files. */
const DISK_READ_CHUNK = 1024 * 1024;
/** A descriptor nobody has read through for this long is closed (an evicted file's space comes back then). */
const IDLE_CLOSE_MS = 2000;
/** At most this many files held open at once; past it, the idle ones close first. */
const MAX_OPEN = 256;
/**
 * Ranges up to this size are read on the event loop while such reads are fast: from the page cache a
 * 64 KiB read is a memcpy of a few microseconds, far less than a threadpool round trip (what nginx does
 * too: its sendfile blocks the worker). A read slower than SLOW_SYNC_READ_MS went to the disk, so reads
 * go through the threadpool for SYNC_PAUSE_MS before the event loop tries again.
 */
const SYNC_READ_MAX = 256 * 1024;
const SLOW_SYNC_READ_MS = 2;
const SYNC_PAUSE_MS = 10_000;

/**
 * Finished files are immutable (their bytes are fixed by the info hash), so, like nginx's
 * open_file_cache, a hot file is opened once and every range is a positional read on the shared
 * descriptor: one threadpool round trip per chunk instead of open + read + close per request.
 */
interface Held {
  fd: Promise<number>;
  /** The descriptor once open (reads need no await then). */
  opened: number | undefined;
  readers: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export class PooledFileStore implements FileStore {
  private readonly held = new Map<string, Held>();
  /** Small reads stay off the event loop until then (a recent one was slow: the disk, not the page cache). */
  private syncPausedUntil = 0;
  /** Reads answered on the event loop so far. */
  loopReads = 0;

  constructor(
    private readonly idleCloseMs = IDLE_CLOSE_MS,
    private readonly maxOpen = MAX_OPEN,
    private readonly slowSyncReadMs = SLOW_SYNC_READ_MS,
  ) {}

  open(absolutePath: string, range: { start: number; end: number }): Readable {
    const held = this.acquire(absolutePath);
    let position = range.start;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.release(absolutePath, held);
    };
    return new Readable({
      highWaterMark: DISK_READ_CHUNK,
      read(size) {
        const want = Math.min(Math.max(size, DISK_READ_CHUNK), range.end - position + 1);
        if (want <= 0) return void this.push(null);
        held.fd.then(
          (fd) => {
            const buffer = Buffer.allocUnsafe(want);
            read(fd, buffer, 0, want, position, (err, bytes) => {
              if (err) return void this.destroy(err);
              if (bytes === 0) return void this.destroy(new Error(`${absolutePath} ended at byte ${position}`));
              position += bytes;
              this.push(bytes === want ? buffer : buffer.subarray(0, bytes));
              if (position > range.end) this.push(null);
            });
          },
          (err: Error) => this.destroy(err),
        );
      },
      destroy(err, callback) {
        release();
        callback(err);
      },
    });
  }

  async read(absolutePath: string, range: { start: number; end: number }, into?: Buffer): Promise<Buffer> {
    const held = this.acquire(absolutePath);
    try {
      const length = range.end - range.start + 1;
      const buffer = into && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
      if (held.opened !== undefined && length <= SYNC_READ_MAX && performance.now() >= this.syncPausedUntil) {
        this.readOnLoop(absolutePath, held.opened, buffer, range.start);
        return buffer;
      }
      const fd = await held.fd;
      let filled = 0;
      while (filled < buffer.length) {
        const bytes = await new Promise<number>((resolve, reject) =>
          read(fd, buffer, filled, buffer.length - filled, range.start + filled, (err, n) =>
            err ? reject(err) : resolve(n),
          ),
        );
        if (bytes === 0) throw new Error(`${absolutePath} ended at byte ${range.start + filled}`);
        filled += bytes;
      }
      return buffer;
    } finally {
      this.release(absolutePath, held);
    }
  }

  /** Fills `buffer` from `position` synchronously, and pauses such reads if this one was slow. */
  private readOnLoop(path: string, fd: number, buffer: Buffer, position: number): void {
    const started = performance.now();
    let filled = 0;
    while (filled < buffer.length) {
      const bytes = readSync(fd, buffer, filled, buffer.length - filled, position + filled);
      if (bytes === 0) throw new Error(`${path} ended at byte ${position + filled}`);
      filled += bytes;
    }
    this.loopReads++;
    const ended = performance.now();
    if (ended - started > this.slowSyncReadMs) this.syncPausedUntil = ended + SYNC_PAUSE_MS;
  }

  private acquire(path: string): Held {
    let held = this.held.get(path);
    if (!held) {
      if (this.held.size >= this.maxOpen) this.closeIdle();
      const fd = new Promise<number>((resolve, reject) =>
        open(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))),
      );
      const opening: Held = { fd, opened: undefined, readers: 0, idleTimer: undefined };
      this.held.set(path, opening);
      fd.then(
        (n) => (opening.opened = n),
        // A failed open is not kept: the next request tries again (the file may be back).
        () => {
          if (this.held.get(path) === opening) this.held.delete(path);
        },
      );
      held = opening;
    }
    if (held.idleTimer) clearTimeout(held.idleTimer);
    held.idleTimer = undefined;
    held.readers++;
    return held;
  }

  private release(path: string, held: Held): void {
    held.readers--;
    if (held.readers > 0 || this.held.get(path) !== held) return;
    held.idleTimer = setTimeout(() => this.closeHeld(path, held), this.idleCloseMs);
    held.idleTimer.unref();
  }

  private closeIdle(): void {
    for (const [path, held] of this.held) if (held.readers === 0) this.closeHeld(path, held);
  }

  private closeHeld(path: string, held: Held): void {
    if (held.readers > 0) return;
    held.opened = undefined;
    if (held.idleTimer) clearTimeout(held.idleTimer);
    if (this.held.get(path) === held) this.held.delete(path);
    held.fd.then(
      (fd) => close(fd, () => undefined),
      () => undefined,
    );
  }

  /** Closes every descriptor (shutdown). */
  closeAll(): void {
    for (const [path, held] of this.held) {
      held.readers = 0;
      this.closeHeld(path, held);
    }
  }
}
