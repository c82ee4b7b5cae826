import { RECENT_ENTRY_MS, RecentEntries } from '../../src/services/cache-recent.js';
import type { CacheEntry } from '../../src/ports/cache-index.js';
import { FakeClock } from '../fixtures/fake-clock.js';

// A player's burst of range requests on a cached file asks the index once a second, not once a request;
// what this process changes is never served stale, and a lookup that raced a change is not remembered.

const HASH = 'a'.repeat(40);
const entry = (fileIndex: number): CacheEntry => ({
  infoHash: HASH,
  fileIndex,
  path: `${HASH}/f${fileIndex}.mkv`,
  size: 100,
  torrentName: 'T',
  fileName: `f${fileIndex}.mkv`,
  createdAt: 0,
  lastAccessed: 0,
  hits: 0,
});

test('a found entry is reused for RECENT_ENTRY_MS, by the index asked (the default file apart)', async () => {
  const clock = new FakeClock(1_000);
  const recent = new RecentEntries(clock);
  recent.remember(undefined, entry(2), recent.generation);
  recent.remember(0, entry(0), recent.generation);
  expect(recent.get(HASH, undefined)?.fileIndex).toBe(2);
  expect(recent.get(HASH, 0)?.fileIndex).toBe(0);
  expect(recent.get(HASH, 1)).toBeUndefined();
  await clock.advance(RECENT_ENTRY_MS - 1);
  expect(recent.get(HASH, 0)?.fileIndex).toBe(0);
  await clock.advance(1);
  expect(recent.get(HASH, 0)).toBeUndefined();
  expect(recent.get(HASH, undefined)).toBeUndefined();
});

test('forgetting a torrent drops its lookups, and a lookup begun before the forget is not remembered', () => {
  const recent = new RecentEntries(new FakeClock(1_000));
  recent.remember(0, entry(0), recent.generation);
  const began = recent.generation; // a lookup starts, reads the index...
  recent.forgetTorrent(HASH); // ...the entry is removed meanwhile...
  expect(recent.get(HASH, 0)).toBeUndefined();
  recent.remember(0, entry(0), began); // ...and what it read is not kept
  expect(recent.get(HASH, 0)).toBeUndefined();
  recent.remember(0, entry(0), recent.generation);
  expect(recent.get(HASH, 0)?.fileIndex).toBe(0);
});
