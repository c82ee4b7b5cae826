/**
 * Reused buffers for the small ranges respond-range reads whole (a player's 64 KiB - 1 MiB requests).
 * A new 1 MiB buffer per request is memory outside the V8 heap: at ~1 GB/s of cache hits it set off a
 * garbage collection every few milliseconds, full ones included, which showed as a p99 of half a second.
 * A buffer comes back once its response is flushed to the socket, never before; the idle ones kept are
 * bounded (IDLE_BYTES: as many 1 MiB ranges as players in flight at once come and go together, so a
 * smaller pool still allocated half of them), let go once unused for TRIM_AFTER_MS (memory returns
 * after a load), and a response that never finishes just leaves its buffer to the collector.
 */
const MIN_CLASS = 64 * 1024;
const IDLE_BYTES = 64 * 1024 * 1024;
const TRIM_AFTER_MS = 5000;

export class ReadBuffers {
  private readonly idle = new Map<number, Buffer[]>();
  private idleBytes = 0;
  private used = false;
  private trimmer: NodeJS.Timeout | undefined;

  /** A buffer of at least `bytes` (its size class: a power of two from 64 KiB). */
  take(bytes: number): Buffer {
    this.used = true;
    const size = classOf(bytes);
    const buffer = this.idle.get(size)?.pop();
    if (!buffer) return Buffer.allocUnsafe(size);
    this.idleBytes -= size;
    return buffer;
  }

  /** Gives `buffer` (from take) back, once nothing reads it any more. */
  give(buffer: Buffer): void {
    const size = buffer.length;
    if (size !== classOf(size) || this.idleBytes + size > IDLE_BYTES) return;
    let list = this.idle.get(size);
    if (!list) this.idle.set(size, (list = []));
    list.push(buffer);
    this.idleBytes += size;
    this.trimmer ??= setInterval(() => this.trim(), TRIM_AFTER_MS).unref();
  }

  /** Idle buffers go once nothing took one for a whole interval. */
  private trim(): void {
    if (this.used) {
      this.used = false;
      return;
    }
    this.idle.clear();
    this.idleBytes = 0;
    clearInterval(this.trimmer);
    this.trimmer = undefined;
  }

  /** Bytes held idle now (for tests). */
  get idleSize(): number {
    return this.idleBytes;
  }
}

function classOf(bytes: number): number {
  let size = MIN_CLASS;
  while (size < bytes) size *= 2;
  return size;
}

/** One pool for the process: every stream response draws from it. */
export const readBuffers = new ReadBuffers();
