import { defaultFileIndex } from '../domain/default-file.js';
import type { Logger } from '../logger.js';
import type { CacheEntry, CacheIndex } from '../ports/cache-index.js';
import type { Clock } from '../ports/clock.js';
import { isIndexUnavailable } from './guarded-cache-index.js';
import { leaseKey } from './leases.js';

/** Remembered entries are dropped past this many keys: bounded memory, worst case a miss during an outage. */
const MEMO_LIMIT = 10_000;
/** While the index is unreachable, finished files are offered to it again this often. */
const PENDING_RETRY_MS = 2000;

export interface OutageMemoDeps {
  index: CacheIndex;
  clock: Clock;
  logger: Logger;
}

/**
 * What keeps the cache working while its index is unreachable. Entries this process has seen (looked up
 * or recorded) are remembered, so these files keep streaming from disk; finished files the index could
 * not take wait in `pending` and are written once it answers again.
 */
export class OutageMemo {
  private readonly index: CacheIndex;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly known = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, CacheEntry>();
  private flushing: Promise<void> | undefined;

  constructor(deps: OutageMemoDeps) {
    ({ index: this.index, clock: this.clock, logger: this.logger } = deps);
  }

  remember(entry: CacheEntry): void {
    if (this.known.size > MEMO_LIMIT) this.known.clear();
    this.known.set(leaseKey(entry.infoHash, entry.fileIndex), entry);
  }

  forget(infoHash: string, fileIndex: number): void {
    this.known.delete(leaseKey(infoHash, fileIndex));
  }

  forgetTorrent(infoHash: string): void {
    for (const key of [...this.known.keys()]) if (key.startsWith(`${infoHash}:`)) this.known.delete(key);
  }

  /** The remembered entry of this file; `fileIndex` undefined = the default among the torrent's remembered files. */
  recall(infoHash: string, fileIndex: number | undefined): CacheEntry | undefined {
    return fileIndex === undefined ? this.knownDefault(infoHash) : this.known.get(leaseKey(infoHash, fileIndex));
  }

  /** The index could not take this finished file: it is written when the index answers again. */
  writeLater(entry: CacheEntry): void {
    this.pending.set(leaseKey(entry.infoHash, entry.fileIndex), entry);
    this.flushing ??= this.flushPending().finally(() => (this.flushing = undefined));
  }

  private knownDefault(infoHash: string): CacheEntry | undefined {
    const files = [...this.known.values()].filter((e) => e.infoHash === infoHash);
    const wanted = defaultFileIndex(files.map((e) => ({ index: e.fileIndex, name: e.fileName, length: e.size })));
    return files.find((e) => e.fileIndex === wanted);
  }

  /** Writes the finished files the index missed, retrying every few seconds until it answers. */
  private async flushPending(): Promise<void> {
    while (this.pending.size > 0) {
      await this.clock.sleep(PENDING_RETRY_MS);
      for (const [key, entry] of this.pending) {
        try {
          await this.index.upsert(entry);
          this.pending.delete(key);
        } catch (err) {
          if (!isIndexUnavailable(err)) this.pending.delete(key);
          break;
        }
      }
    }
    this.logger.info('cache index caught up with the files finished while it was unreachable');
  }
}
