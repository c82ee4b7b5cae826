import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { User, UserStore } from '../ports/user-store.js';
import {
  assertUser,
  compareUsers,
  copyLimits,
  dayStart,
  duplicateKey,
  nameTaken,
  parseLimits,
  pruneBefore,
} from './user-records.js';

export interface SqliteUserStoreOptions {
  /** Database file (CACHE_DB_PATH, shared with the cache index), or ':memory:'. */
  path: string;
}

/**
 * The tables live in the cache index's file but are not part of its migrations: the cache index
 * owns `PRAGMA user_version` (and refuses to open a file whose version is newer than it knows), so
 * this store never reads or writes it. It creates its tables if they are missing instead; a later
 * change to them needs its own marker (a table of its own, say), never user_version.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    limits     TEXT    NOT NULL DEFAULT '{}'
  );
  CREATE TABLE IF NOT EXISTS user_adds (
    user_id TEXT    NOT NULL,
    day     TEXT    NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
  ) WITHOUT ROWID;`;

interface Row {
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
  limits: string;
}

const COLUMNS = 'id, name, token_hash, created_at, limits';

const toUser = (r: Row): User => ({
  id: r.id,
  name: r.name,
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  limits: parseLimits(r.limits),
});

/** A UNIQUE violation as the error the checks would have thrown; anything else as it is. */
function constraintError(err: unknown, name: string): unknown {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code !== 'string' || !e.code.startsWith('SQLITE_CONSTRAINT') || typeof e.message !== 'string') {
    return err;
  }
  if (e.message.includes('users.name')) return nameTaken(name);
  if (e.message.includes('users.id')) return duplicateKey('id');
  if (e.message.includes('users.token_hash')) return duplicateKey('tokenHash');
  return err;
}

/** Users and their daily add counters in SQLite, on a connection of its own beside the cache index's. */
export class SqliteUserStore implements UserStore {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteUserStore['prepare']>;

  constructor(options: SqliteUserStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
    this.db = new Database(options.path);
    try {
      // The same settings as the cache index: WAL lets its connection and this one (and another
      // process) read while one writes; busy_timeout makes a writer wait for the other's lock.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
      this.stmt = this.prepare();
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  private prepare() {
    const db = this.db;
    return {
      insert: db.prepare<[Row]>(
        `INSERT INTO users (${COLUMNS}) VALUES (@id, @name, @token_hash, @created_at, @limits)`,
      ),
      nameExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE name = ?'),
      idExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE id = ?'),
      tokenExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE token_hash = ?'),
      list: db.prepare<[], Row>(`SELECT ${COLUMNS} FROM users ORDER BY created_at, name`),
      byToken: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM users WHERE token_hash = ?`),
      removeUser: db.prepare<[string]>('DELETE FROM users WHERE id = ?'),
      removeAdds: db.prepare<[string]>('DELETE FROM user_adds WHERE user_id = ?'),
      countAdd: db.prepare<[string, string], { count: number }>(
        `INSERT INTO user_adds (user_id, day, count) VALUES (?, ?, 1)
         ON CONFLICT (user_id, day) DO UPDATE SET count = count + 1
         RETURNING count`,
      ),
      prune: db.prepare<[string, string]>('DELETE FROM user_adds WHERE user_id = ? AND day < ?'),
    };
  }

  async create(user: User): Promise<void> {
    assertUser(user);
    // IMMEDIATE: the write lock is taken before the checks, so another process cannot slip the same
    // name in between. The UNIQUE constraints stay as the last line of defence, mapped to the same errors.
    // (Within one process better-sqlite3 is synchronous, so only another process could race here.)
    try {
      this.db
        .transaction(() => {
          if (this.stmt.nameExists.get(user.name)) throw nameTaken(user.name);
          if (this.stmt.idExists.get(user.id)) throw duplicateKey('id');
          if (this.stmt.tokenExists.get(user.tokenHash)) throw duplicateKey('tokenHash');
          this.stmt.insert.run({
            id: user.id,
            name: user.name,
            token_hash: user.tokenHash,
            created_at: user.createdAt,
            limits: JSON.stringify(copyLimits(user.limits)),
          });
        })
        .immediate();
    } catch (err) {
      throw constraintError(err, user.name);
    }
  }

  async list(): Promise<User[]> {
    // Sorted again in JS: SQLite compares names as UTF-8 bytes, the other adapters as UTF-16 units.
    return this.stmt.list.all().map(toUser).sort(compareUsers);
  }

  async findByTokenHash(tokenHash: string): Promise<User | undefined> {
    const row = this.stmt.byToken.get(tokenHash);
    return row && toUser(row);
  }

  async remove(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.stmt.removeAdds.run(id);
      return this.stmt.removeUser.run(id).changes > 0;
    })();
  }

  async countAdd(id: string, day: string): Promise<number> {
    dayStart(day);
    const cutoff = pruneBefore(day);
    return this.db.transaction(() => {
      const { count } = this.stmt.countAdd.get(id, day)!;
      // Only this user's rows, so the DELETE stays on the primary key's prefix.
      this.stmt.prune.run(id, cutoff);
      return count;
    })();
  }

  async close(): Promise<void> {
    // Idempotent, like the cache index: shutdown paths may close twice.
    if (this.db.open) this.db.close();
  }
}
