import { createReadStream } from 'node:fs';
import type { FileStore } from '../ports/file-store.js';

/** Large reads: fewer syscalls and fewer chunks through the response for cached files. */
const DISK_READ_CHUNK = 256 * 1024;

export const nodeFileStore: FileStore = {
  open: (absolutePath, range) =>
    createReadStream(absolutePath, { start: range.start, end: range.end, highWaterMark: DISK_READ_CHUNK }),
};
