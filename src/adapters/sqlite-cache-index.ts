import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CacheEntry, CacheIndex, CacheTotals } from '../ports/cache-index.js';

export interface SqliteCacheIndexOptions {
  /** Database file, or ':memory:' (then nothing persists, though `persistent` stays true). */
  path: string;
}

/**
 * Append-only: migration N moves the schema from user_version N to N+1. Never edit a shipped
 * entry, because existing databases have already run it.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE cache_entries (
     info_hash     TEXT    NOT NULL,
     file_index    INTEGER NOT NULL,
     path          TEXT    NOT NULL,
     size          INTEGER NOT NULL,
     torrent_name  TEXT    NOT NULL,
     file_name     TEXT    NOT NULL,
     created_at    INTEGER NOT NULL,
     last_accessed INTEGER NOT NULL,
     hits          INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (info_hash, file_index)
   ) WITHOUT ROWID;
   CREATE INDEX cache_entries_last_accessed ON cache_entries (last_accessed);`,
  // v2: the node that holds the file (NULL on older rows: claimed by the node that finds the file).
  `ALTER TABLE cache_entries ADD COLUMN node TEXT;
   ALTER TABLE cache_entries ADD COLUMN node_url TEXT;
   CREATE INDEX cache_entries_node_last_accessed ON cache_entries (node, last_accessed);`,
];

interface Row {
  info_hash: string;
  file_index: number;
  path: string;
  size: number;
  torrent_name: string;
  file_name: string;
  created_at: number;
  last_accessed: number;
  hits: number;
  node: string | null;
  node_url: string | null;
}

const COLUMNS =
  'info_hash, file_index, path, size, torrent_name, file_name, created_at, last_accessed, hits, node, node_url';

const toEntry = (r: Row): CacheEntry => ({
  infoHash: r.info_hash,
  fileIndex: r.file_index,
  path: r.path,
  size: r.size,
  torrentName: r.torrent_name,
  fileName: r.file_name,
  createdAt: r.created_at,
  lastAccessed: r.last_accessed,
  hits: r.hits,
  ...(r.node === null ? {} : { node: r.node }),
  ...(r.node_url === null ? {} : { nodeUrl: r.node_url }),
});

export class SqliteCacheIndex implements CacheIndex {
  readonly backend = 'sqlite' as const;
  readonly persistent = true;

  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteCacheIndex['prepare']>;

  constructor(options: SqliteCacheIndexOptions) {
    if (options.path !== ':memory:') mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
    this.db = new Database(options.path);
    try {
      // WAL + NORMAL: readers never block the writer, and a crash can lose at most the last
      // transactions, never corrupt the file. Nothing rebuilds the index from disk yet: files whose
      // entries were lost count as orphans (the cleaner removes them after CACHE_ORPHAN_GRACE), so a
      // lost entry today costs a re-download, not data.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // Another process (a CLI, a second instance) may hold the write lock briefly.
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
      this.stmt = this.prepare();
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  private migrate(): void {
    const apply = this.db.transaction(() => {
      // Read inside the transaction so two processes opening a fresh file cannot both migrate.
      const current = this.db.pragma('user_version', { simple: true }) as number;
      if (current > MIGRATIONS.length) {
        throw new Error(`Cache database schema v${current} is newer than this server supports (v${MIGRATIONS.length})`);
      }
      for (let v = current; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v]!);
      this.db.pragma(`user_version = ${MIGRATIONS.length}`);
    });
    apply.immediate();
  }

  private prepare() {
    const db = this.db;
    return {
      get: db.prepare<[string, number], Row>(
        `SELECT ${COLUMNS} FROM cache_entries WHERE info_hash = ? AND file_index = ?`,
      ),
      byTorrent: db.prepare<[string], Row>(
        `SELECT ${COLUMNS} FROM cache_entries WHERE info_hash = ? ORDER BY file_index`,
      ),
      // On conflict keep created_at and hits: re-registering a file is not a new download or a view.
      upsert: db.prepare<[Row]>(
        `INSERT INTO cache_entries (${COLUMNS})
         VALUES (@info_hash, @file_index, @path, @size, @torrent_name, @file_name, @created_at, @last_accessed, @hits,
           @node, @node_url)
         ON CONFLICT (info_hash, file_index) DO UPDATE SET
           path = excluded.path, size = excluded.size, torrent_name = excluded.torrent_name,
           file_name = excluded.file_name, last_accessed = excluded.last_accessed,
           node = excluded.node, node_url = excluded.node_url`,
      ),
      touch: db.prepare<[number, string, number]>(
        'UPDATE cache_entries SET last_accessed = ?, hits = hits + 1 WHERE info_hash = ? AND file_index = ?',
      ),
      removeOne: db.prepare<[string, number]>('DELETE FROM cache_entries WHERE info_hash = ? AND file_index = ?'),
      removeTorrent: db.prepare<[string]>('DELETE FROM cache_entries WHERE info_hash = ?'),
      oldest: db.prepare<[number], Row>(
        `SELECT ${COLUMNS} FROM cache_entries ORDER BY last_accessed, info_hash, file_index LIMIT ?`,
      ),
      oldestOfNode: db.prepare<[string, number], Row>(
        `SELECT ${COLUMNS} FROM cache_entries WHERE node = ? ORDER BY last_accessed, info_hash, file_index LIMIT ?`,
      ),
      all: db.prepare<[], Row>(`SELECT ${COLUMNS} FROM cache_entries`),
      totals: db.prepare<[], CacheTotals>(
        'SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM cache_entries',
      ),
      totalsOfNode: db.prepare<[string], CacheTotals>(
        'SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM cache_entries WHERE node = ?',
      ),
    };
  }

  async get(infoHash: string, fileIndex: number): Promise<CacheEntry | undefined> {
    const row = this.stmt.get.get(infoHash, fileIndex);
    return row && toEntry(row);
  }

  async listByTorrent(infoHash: string): Promise<CacheEntry[]> {
    return this.stmt.byTorrent.all(infoHash).map(toEntry);
  }

  async upsert(e: CacheEntry): Promise<void> {
    this.stmt.upsert.run({
      info_hash: e.infoHash,
      file_index: e.fileIndex,
      path: e.path,
      size: e.size,
      torrent_name: e.torrentName,
      file_name: e.fileName,
      created_at: e.createdAt,
      last_accessed: e.lastAccessed,
      hits: e.hits,
      node: e.node ?? null,
      node_url: e.nodeUrl ?? null,
    });
  }

  async touch(infoHash: string, fileIndex: number, at: number): Promise<void> {
    this.stmt.touch.run(at, infoHash, fileIndex);
  }

  async remove(infoHash: string, fileIndex?: number): Promise<number> {
    const result =
      fileIndex === undefined ? this.stmt.removeTorrent.run(infoHash) : this.stmt.removeOne.run(infoHash, fileIndex);
    return result.changes;
  }

  async removeMany(keys: ReadonlyArray<{ infoHash: string; fileIndex: number }>): Promise<number> {
    // One transaction: one fsync for the whole batch instead of one per row.
    return this.db.transaction(() =>
      keys.reduce((sum, k) => sum + this.stmt.removeOne.run(k.infoHash, k.fileIndex).changes, 0),
    )();
  }

  async oldest(limit: number, node?: string): Promise<CacheEntry[]> {
    if (limit <= 0) return [];
    const rows = node === undefined ? this.stmt.oldest.all(limit) : this.stmt.oldestOfNode.all(node, limit);
    return rows.map(toEntry);
  }

  async all(): Promise<CacheEntry[]> {
    return this.stmt.all.all().map(toEntry);
  }

  async totals(node?: string): Promise<CacheTotals> {
    const row = node === undefined ? this.stmt.totals.get() : this.stmt.totalsOfNode.get(node);
    return row ?? { count: 0, bytes: 0 };
  }

  async close(): Promise<void> {
    // Idempotent: shutdown paths may close twice (signal + error handler).
    if (this.db.open) this.db.close();
  }
}
