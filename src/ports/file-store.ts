import type { Readable } from 'node:stream';

/** Reads finished files (the disk cache today; a shared volume or object store could come later). */
export interface FileStore {
  /** Bytes `start`..`end` (inclusive) of the file at `absolutePath`. */
  open(absolutePath: string, range: { start: number; end: number }): Readable;
}
