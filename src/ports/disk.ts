/** File-system side effects of the cache (so eviction logic stays testable and in one place). */
export interface Disk {
  /** Size of a regular file, or undefined when it does not exist. */
  fileSize(absolutePath: string): Promise<number | undefined>;
  /** Free bytes on the volume holding `dir`. */
  freeBytes(dir: string): Promise<number>;
  removeFile(absolutePath: string): Promise<void>;
  removeDir(absolutePath: string): Promise<void>;
  /** Entries directly under `dir` with their last modification time (ms). */
  list(dir: string): Promise<Array<{ name: string; isDirectory: boolean; mtimeMs: number }>>;
  /** Every file below `dir` (none when missing), with the bytes it really occupies. */
  walkFiles(dir: string): Promise<Array<{ relativePath: string; bytes: number; mtimeMs: number }>>;
}
