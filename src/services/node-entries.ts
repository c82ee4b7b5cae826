import type { Logger } from '../logger.js';
import type { CacheEntry, CacheIndex } from '../ports/cache-index.js';
import type { NodeIdentity } from './node-identity.js';

export interface StartupCheck {
  /** This node's entries whose files are gone or changed: removed. */
  dropped: number;
  /** Entries recorded before nodes (or, alone on SQLite/memory, under another hostname) whose file is here: now this node's. */
  claimed: number;
  /** Other nodes' entries, and old entries whose file is not here: left alone. */
  leftAlone: number;
}

/**
 * Start-up hygiene over the shared index, for this node only: its own entries whose files are gone are
 * dropped; entries without a node are claimed if their file is on this disk and otherwise left for the
 * node that has it; another node's entries are never touched (its files are on its own disk).
 */
export async function checkEntriesAtStartup(
  index: CacheIndex,
  node: NodeIdentity,
  sizeOnDisk: (entry: CacheEntry) => Promise<number | undefined>,
  logger: Logger,
): Promise<StartupCheck> {
  const result: StartupCheck = { dropped: 0, claimed: 0, leftAlone: 0 };
  for (const entry of await index.all()) {
    const holder = node.holderOf(entry);
    if (holder === 'other') {
      result.leftAlone++;
      continue;
    }
    const here = (await sizeOnDisk(entry)) === entry.size;
    if (holder === 'unknown' && !here) {
      result.leftAlone++;
    } else if (!here) {
      await index.remove(entry.infoHash, entry.fileIndex);
      result.dropped++;
    } else if (entry.node !== node.id || entry.nodeUrl !== node.url) {
      await index.upsert({ ...entry, node: node.id, nodeUrl: node.url });
      result.claimed++;
    }
  }
  if (result.dropped > 0) logger.warn(result, 'dropped cache entries whose files are gone');
  else if (result.claimed > 0) logger.info(result, 'cache entries recorded before nodes now name this node');
  return result;
}
