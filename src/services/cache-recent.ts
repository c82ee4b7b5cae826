import type { CacheEntry } from '../ports/cache-index.js';
import type { Clock } from '../ports/clock.js';

/** How long a hit's entry is reused without asking the index again. */
export const RECENT_ENTRY_MS = 1000;
/** Past this many remembered lookups the memo starts over: bounded memory. */
const LIMIT = 10_000;

/**
 * The entries of files just served, so a player's burst of range requests asks the index once a second
 * instead of once a request (a SQLite get was 9 % of a cached 64 KiB range). This process forgets an
 * entry the moment it changes one (record, remove, evict, a file found missing); a change made by another
 * instance on a shared index is seen within RECENT_ENTRY_MS.
 */
export class RecentEntries {
  /** By info hash, then by the file index asked ('' = the default file). */
  private readonly torrents = new Map<string, Map<string, { entry: CacheEntry; until: number }>>();
  /** Counts the forgets: a lookup that began before one is not remembered (it may have read the old entry). */
  private forgets = 0;

  constructor(private readonly clock: Clock) {}

  /** The entry a lookup of (infoHash, fileIndex) found less than RECENT_ENTRY_MS ago; undefined = the default file. */
  get(infoHash: string, fileIndex: number | undefined): CacheEntry | undefined {
    const files = this.torrents.get(infoHash);
    const key = fileIndex === undefined ? '' : String(fileIndex);
    const hit = files?.get(key);
    if (!hit) return undefined;
    if (hit.until > this.clock.now()) return hit.entry;
    files!.delete(key);
    if (files!.size === 0) this.torrents.delete(infoHash);
    return undefined;
  }

  /** Read before a lookup, passed to `remember` after it. */
  get generation(): number {
    return this.forgets;
  }

  /** A lookup of (entry.infoHash, fileIndex) that began at `generation` found `entry`. */
  remember(fileIndex: number | undefined, entry: CacheEntry, generation: number): void {
    if (generation !== this.forgets) return;
    if (this.torrents.size >= LIMIT) this.torrents.clear();
    let files = this.torrents.get(entry.infoHash);
    if (!files) this.torrents.set(entry.infoHash, (files = new Map()));
    files.set(fileIndex === undefined ? '' : String(fileIndex), { entry, until: this.clock.now() + RECENT_ENTRY_MS });
  }

  /** Forgets every lookup of the torrent (its default file may be the one that changed). */
  forgetTorrent(infoHash: string): void {
    this.forgets++;
    this.torrents.delete(infoHash);
  }
}
