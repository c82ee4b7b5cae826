import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { User, UserStore } from '../ports/user-store.js';
import {
  assertUser,
  compareUsers,
  copyUser,
  dayStart,
  duplicateKey,
  isUser,
  nameTaken,
  pruneBefore,
} from './user-records.js';

interface FileShape {
  version: 1;
  users: User[];
}

/**
 * Users for the memory cache backend: kept in memory, with one small JSON file as the durable copy,
 * so users (and revocations) survive a restart even without SQLite or Redis.
 *
 * The file is read once, synchronously, when the store is created; every change is written to a
 * temporary file, fsynced and renamed over the old one, so a crash mid-write leaves the previous
 * file, never a half one. An unreadable or malformed file stops start-up instead of being treated as
 * "no users": the next change would overwrite it and silently lose every user.
 *
 * One process per file: two stores on the same file do not see each other's changes (the SQLite and
 * Redis adapters are the ones to share).
 *
 * Add counters stay in memory only: they feed a per-day limit, so losing them on restart costs at
 * most one extra day's worth of adds for a user, which is acceptable for the memory backend.
 */
export class JsonUserStore implements UserStore {
  private users: User[];
  /** id -> day -> adds counted that day. */
  private readonly adds = new Map<string, Map<string, number>>();
  /** Changes run one after another, each against the state the previous one left. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly file: string) {
    this.users = load(file);
  }

  create(user: User): Promise<void> {
    return this.change(() => {
      assertUser(user);
      if (this.users.some((u) => u.name === user.name)) throw nameTaken(user.name);
      if (this.users.some((u) => u.id === user.id)) throw duplicateKey('id');
      if (this.users.some((u) => u.tokenHash === user.tokenHash)) throw duplicateKey('tokenHash');
      return [...this.users, copyUser(user)];
    });
  }

  async list(): Promise<User[]> {
    return [...this.users].sort(compareUsers).map(copyUser);
  }

  async findByTokenHash(tokenHash: string): Promise<User | undefined> {
    const user = this.users.find((u) => u.tokenHash === tokenHash);
    return user && copyUser(user);
  }

  async remove(id: string): Promise<boolean> {
    let existed = false;
    await this.change(() => {
      this.adds.delete(id);
      existed = this.users.some((u) => u.id === id);
      return existed ? this.users.filter((u) => u.id !== id) : undefined;
    });
    return existed;
  }

  async countAdd(id: string, day: string): Promise<number> {
    dayStart(day); // same validation as the other adapters
    let days = this.adds.get(id);
    if (!days) this.adds.set(id, (days = new Map()));
    const count = (days.get(day) ?? 0) + 1;
    days.set(day, count);
    // Keep memory bounded, as the SQLite adapter prunes rows and Redis expires keys.
    const cutoff = pruneBefore(day);
    for (const d of days.keys()) if (d < cutoff) days.delete(d);
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    // Let a change already under way reach the file before the process exits.
    await this.queue;
  }

  /**
   * Runs `next` after every earlier change; it returns the new user list (or undefined for "no
   * change"), which replaces the current one only once it is on disk, so a failed write changes nothing.
   */
  private change(next: () => User[] | undefined): Promise<void> {
    if (this.closed) return Promise.reject(new Error('JsonUserStore is closed'));
    const run = this.queue.then(async () => {
      const users = next();
      if (!users) return;
      await this.persist(users);
      this.users = users;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async persist(users: User[]): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const body: FileShape = { version: 1, users };
    try {
      const handle = await open(tmp, 'w', 0o600); // token hashes: readable by the server only
      try {
        await handle.writeFile(`${JSON.stringify(body, null, 1)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

function load(file: string): User[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`Cannot read users from ${file}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: Partial<FileShape>;
  try {
    parsed = JSON.parse(text) as Partial<FileShape>;
  } catch (err) {
    throw new Error(`Users file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (parsed?.version !== 1 || !Array.isArray(parsed.users) || !parsed.users.every(isUser)) {
    throw new Error(`Users file ${file} is not a version 1 users file; fix or remove it`);
  }
  return parsed.users.map(copyUser);
}
