import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CacheEntry, CacheIndex } from '../ports/cache-index.js';

/**
 * CACHE_PERSISTENT for the memory backend: the index is written to a JSON file on shutdown
 * and read back on start (sqlite and redis persist by themselves).
 */
export async function loadSnapshot(index: CacheIndex, file: string): Promise<number> {
  let entries: CacheEntry[];
  try {
    entries = JSON.parse(await readFile(file, 'utf8')) as CacheEntry[];
  } catch {
    return 0; // first start, or an unreadable snapshot: start empty rather than not at all
  }
  for (const entry of entries) await index.upsert(entry);
  return entries.length;
}

export async function saveSnapshot(index: CacheIndex, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(await index.all()));
  await rename(`${file}.tmp`, file);
}
