import type { Logger } from '../logger.js';
import type { CacheEntry, CacheIndex } from '../ports/cache-index.js';
import type { Clock } from '../ports/clock.js';
import type { Disk } from '../ports/disk.js';
import { isIndexUnavailable } from './guarded-cache-index.js';
import { leaseKey } from './leases.js';

/** lastAccessed is written at most this often per file: reads are hot, the index need not be. */
const TOUCH_THROTTLE_MS = 10_000;
/**
 * A file checked on disk is trusted this long. The index is the truth (eviction removes the entry
 * before the file); the check only catches files deleted behind our back, so it need not run per request.
 */
const VERIFIED_FOR_MS = 10_000;
/** Remembered per-file facts are dropped past this many keys: bounded memory, worst case one extra stat or write. */
const MEMO_LIMIT = 10_000;

export interface ReadChecksDeps {
  index: CacheIndex;
  disk: Disk;
  clock: Clock;
  logger: Logger;
}

/** What every cache hit does, throttled per file: check the file is still on disk, and record the access. */
export class ReadChecks {
  private readonly index: CacheIndex;
  private readonly disk: Disk;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lastTouch = new Map<string, number>();
  private readonly verifiedAt = new Map<string, number>();

  constructor(deps: ReadChecksDeps) {
    ({ index: this.index, disk: this.disk, clock: this.clock, logger: this.logger } = deps);
  }

  /** The file at `absolutePath` still has the entry's size (asked of the disk at most every VERIFIED_FOR_MS). */
  async onDisk(entry: CacheEntry, absolutePath: string): Promise<boolean> {
    const key = leaseKey(entry.infoHash, entry.fileIndex);
    const now = this.clock.now();
    if (now - (this.verifiedAt.get(key) ?? -Infinity) < VERIFIED_FOR_MS) return true;
    if ((await this.disk.fileSize(absolutePath)) !== entry.size) {
      this.verifiedAt.delete(key);
      return false;
    }
    if (this.verifiedAt.size > MEMO_LIMIT) this.verifiedAt.clear();
    this.verifiedAt.set(key, now);
    return true;
  }

  /** Moves the entry's lastAccessed (the LRU order) to now, written at most every TOUCH_THROTTLE_MS. */
  touch(entry: CacheEntry): void {
    const key = leaseKey(entry.infoHash, entry.fileIndex);
    const now = this.clock.now();
    if (now - (this.lastTouch.get(key) ?? 0) < TOUCH_THROTTLE_MS) return;
    this.lastTouch.set(key, now);
    if (this.lastTouch.size > MEMO_LIMIT) this.lastTouch.clear();
    this.index.touch(entry.infoHash, entry.fileIndex, now).catch((err: unknown) => {
      // An outage is logged once, by the guard; anything else is worth a line.
      if (!isIndexUnavailable(err)) this.logger.warn({ err }, 'cache touch failed');
    });
  }
}
