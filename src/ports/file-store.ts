import type { Readable } from 'node:stream';

/** Reads finished files (the disk cache today; a shared volume or object store could come later). */
export interface FileStore {
  /** Bytes `start`..`end` (inclusive) of the file at `absolutePath`. */
  open(absolutePath: string, range: { start: number; end: number }): Readable;
  /**
   * The same bytes in one buffer: for small ranges, where a stream costs more than the read. Into `into`
   * when given (at least the range's length; the answer is its start), else a new buffer.
   */
  read(absolutePath: string, range: { start: number; end: number }, into?: Buffer): Promise<Buffer>;
}
