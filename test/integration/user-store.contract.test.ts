import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { JsonUserStore } from '../../src/adapters/json-user-store.js';
import { RedisUserStore } from '../../src/adapters/redis-user-store.js';
import { SqliteCacheIndex } from '../../src/adapters/sqlite-cache-index.js';
import { SqliteUserStore } from '../../src/adapters/sqlite-user-store.js';
import { createUserStore } from '../../src/adapters/user-store-factory.js';
import type { Config } from '../../src/config.js';
import { DomainError } from '../../src/domain/errors.js';
import type { User, UserStore } from '../../src/ports/user-store.js';

type Backend = 'json' | 'sqlite' | 'redis';

interface Subject {
  store: UserStore;
  /** Opens another store on the same storage (after `store` is closed, or beside it when `shared`). */
  reopen: () => Promise<UserStore>;
}

interface Traits {
  /** Whether two stores may be open on the same storage at once and see each other (SQLite file, Redis). */
  shared: boolean;
  /** Whether add counters survive a reopen (the JSON store keeps them in memory only, by design). */
  countersPersist: boolean;
}

let seq = 0;
function user(over: Partial<User> = {}): User {
  const n = seq++;
  return {
    id: `id-${n}-${randomBytes(4).toString('hex')}`,
    name: `user-${n}`,
    tokenHash: randomBytes(32).toString('hex'),
    createdAt: 1_700_000_000_000 + n,
    limits: {},
    ...over,
  };
}

/** The rejection of `p`, or a failure if it fulfils. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection, but it fulfilled');
    },
    (err: Error) => err,
  );
}

async function expectNameConflict(p: Promise<unknown>, name: string): Promise<void> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe('CONFLICT');
  expect(err.message).toBe(`A user named "${name}" already exists`);
}

/** 20 creates of one name at once, spread over `stores`: exactly one may win, and it is the one stored. */
async function raceOneName(stores: UserStore[], reader: UserStore): Promise<void> {
  const name = 'contested';
  const candidates = Array.from({ length: 20 }, () => user({ name, createdAt: 5 }));
  const results = await Promise.allSettled(candidates.map((u, i) => stores[i % stores.length]!.create(u)));
  const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
  expect(won).toHaveLength(1);
  for (const r of results) {
    if (r.status === 'rejected') {
      expect(r.reason).toBeInstanceOf(DomainError);
      expect((r.reason as DomainError).code).toBe('CONFLICT');
    }
  }
  const winner = candidates[won[0]!]!;
  expect(await reader.list()).toEqual([winner]);
  for (const [i, c] of candidates.entries()) {
    expect(await reader.findByTokenHash(c.tokenHash)).toEqual(i === won[0] ? winner : undefined);
  }
}

function describeContract(name: Backend, traits: Traits, factory: () => Promise<Subject>): void {
  describe(`UserStore contract: ${name}`, () => {
    let s: Subject;
    const extra: UserStore[] = [];
    beforeEach(async () => {
      s = await factory();
    });
    afterEach(async () => {
      await Promise.all([s?.store.close(), ...extra.splice(0).map((x) => x.close())]);
    });
    const another = async (): Promise<UserStore> => {
      const store = await s.reopen();
      extra.push(store);
      return store;
    };

    test('an empty store answers with nothing', async () => {
      expect(await s.store.list()).toEqual([]);
      expect(await s.store.findByTokenHash('f'.repeat(64))).toBeUndefined();
      expect(await s.store.remove('nobody')).toBe(false);
    });

    test('create then list and findByTokenHash round-trip every field and hand out copies', async () => {
      const u = user({
        name: 'Kids TV: "living room" ファミリー',
        createdAt: 1_700_000_123_456,
        limits: { maxStreams: 2 },
      });
      await s.store.create(u);
      const expected = structuredClone(u);
      u.name = 'changed after create';
      u.limits.maxStreams = 9;
      expect(await s.store.list()).toEqual([expected]);
      const found = await s.store.findByTokenHash(expected.tokenHash);
      expect(found).toEqual(expected);
      found!.limits.addsPerDay = 1;
      found!.name = 'changed after find';
      expect(await s.store.findByTokenHash(expected.tokenHash)).toEqual(expected);
      expect(await s.store.findByTokenHash(expected.tokenHash.toUpperCase())).toBeUndefined();
      expect(await s.store.findByTokenHash(expected.id)).toBeUndefined();
    });

    test('list is oldest first, whatever the order of creation; the same millisecond goes by name', async () => {
      const late = user({ name: 'late', createdAt: 3_000 });
      const zed = user({ name: 'zed', createdAt: 1_000 });
      const middle = user({ name: 'middle', createdAt: 2_000 });
      const abe = user({ name: 'abe', createdAt: 1_000 });
      for (const u of [late, zed, middle, abe]) await s.store.create(u);
      expect((await s.store.list()).map((u) => u.name)).toEqual(['abe', 'zed', 'middle', 'late']);
    });

    test('remove returns true then false, and the name and token are free again', async () => {
      const gone = user({ name: 'gone' });
      const stays = user({ name: 'stays' });
      await s.store.create(gone);
      await s.store.create(stays);
      expect(await s.store.remove(gone.id)).toBe(true);
      expect(await s.store.remove(gone.id)).toBe(false);
      expect(await s.store.findByTokenHash(gone.tokenHash)).toBeUndefined();
      expect(await s.store.list()).toEqual([stays]);
      expect(await s.store.findByTokenHash(stays.tokenHash)).toEqual(stays);
      const again = user({ name: 'gone', tokenHash: gone.tokenHash, createdAt: stays.createdAt + 1 });
      await s.store.create(again);
      expect(await s.store.findByTokenHash(gone.tokenHash)).toEqual(again);
      expect(await s.store.list()).toEqual([stays, again]);
    });

    test('a taken name is a CONFLICT and leaves the first user unchanged', async () => {
      const first = user({ name: 'kids-tv', limits: { maxStreams: 1 } });
      await s.store.create(first);
      const second = user({ name: 'kids-tv', limits: { addsPerDay: 3 } });
      await expectNameConflict(s.store.create(second), 'kids-tv');
      expect(await s.store.list()).toEqual([first]);
      expect(await s.store.findByTokenHash(first.tokenHash)).toEqual(first);
      expect(await s.store.findByTokenHash(second.tokenHash)).toBeUndefined();
      expect(await s.store.remove(second.id)).toBe(false);
      expect(await s.store.list()).toEqual([first]);
      // Names are compared exactly: another spelling is another user.
      const other = user({ name: 'Kids-TV' });
      await s.store.create(other);
      expect(await s.store.list()).toHaveLength(2);
    });

    test('a duplicate id or token hash is refused (not as a name CONFLICT) and changes nothing', async () => {
      const first = user({ name: 'first' });
      await s.store.create(first);
      const dups = [user({ id: first.id }), user({ tokenHash: first.tokenHash })];
      for (const dup of dups) {
        const err = await rejection(s.store.create(dup));
        expect(err).not.toBeInstanceOf(DomainError);
        expect(err.message).toMatch(/^A user with this (id|tokenHash) already exists$/);
        expect(await s.store.findByTokenHash(dup.tokenHash)).toEqual(
          dup.tokenHash === first.tokenHash ? first : undefined,
        );
      }
      expect(await s.store.list()).toEqual([first]);
      // The refused users' names were not reserved.
      for (const dup of dups) await s.store.create(user({ name: dup.name }));
      expect((await s.store.list()).map((u) => u.name)).toEqual([first.name, ...dups.map((d) => d.name)]);
    });

    test('a malformed user is refused before anything is stored', async () => {
      const bad = [
        user({ name: '' }),
        user({ createdAt: 1.5 }),
        user({ limits: { maxStreams: -1 } }),
        user({ limits: { addsPerDay: 2.5 } }),
      ];
      for (const u of bad) expect(await rejection(s.store.create(u))).toBeInstanceOf(TypeError);
      expect(await s.store.list()).toEqual([]);
    });

    test('limits round-trip: none, one (including 0), and both', async () => {
      const cases = [{}, { maxStreams: 0 }, { addsPerDay: 7 }, { maxStreams: 3, addsPerDay: 10 }];
      const users = cases.map((limits, i) => user({ limits, createdAt: 100 + i }));
      for (const u of users) await s.store.create(u);
      const listed = await s.store.list();
      expect(listed.map((u) => u.limits)).toStrictEqual(cases);
      for (const u of users) expect((await s.store.findByTokenHash(u.tokenHash))!.limits).toStrictEqual(u.limits);
    });

    test('countAdd counts per user and per day independently and starts at 1 on a new day', async () => {
      const [a, b] = [user(), user()];
      await s.store.create(a);
      await s.store.create(b);
      expect(await s.store.countAdd(a.id, '2024-03-01')).toBe(1);
      expect(await s.store.countAdd(a.id, '2024-03-01')).toBe(2);
      expect(await s.store.countAdd(b.id, '2024-03-01')).toBe(1);
      expect(await s.store.countAdd(a.id, '2024-03-01')).toBe(3);
      expect(await s.store.countAdd(a.id, '2024-03-02')).toBe(1);
      expect(await s.store.countAdd(b.id, '2024-03-02')).toBe(1);
      expect(await s.store.countAdd(a.id, '2024-03-02')).toBe(2);
      // The previous day is still counted where it was (a late add near midnight).
      expect(await s.store.countAdd(a.id, '2024-03-01')).toBe(4);
      expect(await s.store.countAdd(b.id, '2024-03-01')).toBe(2);
    });

    test('concurrent countAdd calls each get a distinct count', async () => {
      const a = user();
      await s.store.create(a);
      const counts = await Promise.all(Array.from({ length: 20 }, () => s.store.countAdd(a.id, '2024-05-05')));
      expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    test('countAdd refuses a day that is not YYYY-MM-DD', async () => {
      const a = user();
      await s.store.create(a);
      for (const day of ['2024-3-1', '2024-02-30', '20240301', '']) {
        expect(await rejection(s.store.countAdd(a.id, day))).toBeInstanceOf(TypeError);
      }
      expect(await s.store.countAdd(a.id, '2024-03-01')).toBe(1);
    });

    test("remove takes the user's add counters with it, and only theirs", async () => {
      const [a, b] = [user(), user()];
      await s.store.create(a);
      await s.store.create(b);
      for (const day of ['2024-03-01', '2024-03-01', '2024-03-02']) await s.store.countAdd(a.id, day);
      await s.store.countAdd(b.id, '2024-03-01');
      expect(await s.store.remove(a.id)).toBe(true);
      await s.store.create({ ...a, createdAt: a.createdAt + 10 }); // same id back (ids are random in real use)
      expect(await s.store.countAdd(a.id, '2024-03-01')).toBe(1);
      expect(await s.store.countAdd(a.id, '2024-03-02')).toBe(1);
      expect(await s.store.countAdd(b.id, '2024-03-01')).toBe(2);
    });

    test('20 concurrent creates with the same name: exactly one succeeds', async () => {
      await raceOneName([s.store], s.store);
    });

    test('users (and the name and token indexes) survive closing and reopening', async () => {
      const a = user({ name: 'a', createdAt: 20, limits: { maxStreams: 2, addsPerDay: 0 } });
      const b = user({ name: 'b', createdAt: 10, limits: {} });
      const removed = user({ name: 'removed', createdAt: 15 });
      for (const u of [a, b, removed]) await s.store.create(u);
      await s.store.remove(removed.id);
      await s.store.countAdd(a.id, '2024-03-01');
      await s.store.countAdd(a.id, '2024-03-01');
      await s.store.close();
      const again = await another();
      expect(await again.list()).toStrictEqual([b, a]);
      expect(await again.findByTokenHash(a.tokenHash)).toStrictEqual(a);
      expect(await again.findByTokenHash(removed.tokenHash)).toBeUndefined();
      await expectNameConflict(again.create(user({ name: 'a' })), 'a');
      if (traits.countersPersist) expect(await again.countAdd(a.id, '2024-03-01')).toBe(3);
      await again.create(user({ name: 'removed' }));
      expect((await again.list()).map((u) => u.name)).toEqual(['b', 'a', 'removed']);
    });

    // The JSON store belongs to one process: two stores on one file is not supported.
    if (traits.shared) {
      test('20 concurrent creates with the same name over two stores on one storage: exactly one succeeds', async () => {
        const second = await another();
        await raceOneName([s.store, second], second);
        // And each store sees the other's changes at once.
        const later = user({ name: 'later', createdAt: 6 });
        await s.store.create(later);
        expect(await second.findByTokenHash(later.tokenHash)).toEqual(later);
        expect(await second.remove(later.id)).toBe(true);
        expect(await s.store.findByTokenHash(later.tokenHash)).toBeUndefined();
        expect(await s.store.countAdd(later.id, '2024-01-01')).toBe(1);
        expect(await second.countAdd(later.id, '2024-01-01')).toBe(2);
      });
    }
  });
}

const dir = mkdtempSync(path.join(tmpdir(), 'user-store-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeContract('json', { shared: false, countersPersist: false }, async () => {
  const file = path.join(dir, `json-${files++}/nested/users.json`);
  return { store: new JsonUserStore(file), reopen: async () => new JsonUserStore(file) };
});

describe('JsonUserStore file', () => {
  test('every change is on disk at once, written whole, readable only by the owner, no temp files left', async () => {
    const file = path.join(dir, `json-${files++}/users.json`);
    const store = new JsonUserStore(file);
    expect(existsSync(file)).toBe(false); // nothing written until something changes
    const a = user({ limits: { addsPerDay: 4 } });
    const b = user();
    await Promise.all([store.create(a), store.create(b)]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, users: [a, b] });
    await store.remove(a.id);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, users: [b] });
    expect(readdirSync(path.dirname(file))).toEqual(['users.json']);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    await store.close();
    await expect(store.create(user())).rejects.toThrow(/closed/);
  });

  test('a failed write changes nothing in memory', async () => {
    const parent = path.join(dir, `json-${files++}`);
    const file = path.join(parent, 'users.json');
    const store = new JsonUserStore(file);
    const a = user();
    await store.create(a);
    // Make the temp file impossible: the directory where it would go becomes a file.
    rmSync(parent, { recursive: true });
    writeFileSync(parent, 'not a directory');
    await expect(store.create(user())).rejects.toThrow();
    await expect(store.remove(a.id)).rejects.toThrow();
    expect(await store.list()).toEqual([a]);
    expect(await store.findByTokenHash(a.tokenHash)).toEqual(a);
    rmSync(parent);
    await store.close();
  });

  test('an unreadable or malformed file stops the store instead of silently becoming "no users"', () => {
    const file = path.join(dir, `json-${files++}.json`);
    for (const body of ['{"version":1,"users":[', '{"version":2,"users":[]}', '{"version":1,"users":[{"id":"x"}]}']) {
      writeFileSync(file, body);
      expect(() => new JsonUserStore(file)).toThrow(file);
      expect(readFileSync(file, 'utf8')).toBe(body);
    }
  });
});

describeContract('sqlite', { shared: true, countersPersist: true }, async () => {
  const file = path.join(dir, `sqlite-${files++}/nested/cache.db`);
  return { store: new SqliteUserStore({ path: file }), reopen: async () => new SqliteUserStore({ path: file }) };
});

describe('SqliteUserStore beside the cache index', () => {
  for (const first of ['users', 'cache'] as const) {
    test(`shares CACHE_DB_PATH with SqliteCacheIndex (${first} opened first) without touching user_version`, async () => {
      const file = path.join(dir, `shared-${files++}/cache.db`);
      const open = () => {
        if (first === 'users') {
          const users = new SqliteUserStore({ path: file });
          return { users, cache: new SqliteCacheIndex({ path: file }) };
        }
        const cache = new SqliteCacheIndex({ path: file });
        return { users: new SqliteUserStore({ path: file }), cache };
      };
      let { users, cache } = open();
      const u = user();
      await users.create(u);
      await users.countAdd(u.id, '2024-03-01');
      await cache.upsert({
        infoHash: 'a'.repeat(40),
        fileIndex: 0,
        path: 'a/b.mkv',
        size: 1,
        torrentName: 't',
        fileName: 'b.mkv',
        createdAt: 1,
        lastAccessed: 1,
        hits: 0,
      });
      await Promise.all([users.close(), cache.close()]);
      ({ users, cache } = open()); // the cache index would refuse a user_version it does not know
      expect(await users.list()).toEqual([u]);
      expect(await users.countAdd(u.id, '2024-03-01')).toBe(2);
      expect(await cache.totals()).toEqual({ count: 1, bytes: 1 });
      await Promise.all([users.close(), cache.close()]);
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(2); // the cache index's schema (v2: the node columns), untouched by the user store
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        db.close();
      }
    });
  }

  test("old days' add rows are pruned: the day and the two before it are kept, for that user only", async () => {
    const file = path.join(dir, `prune-${files++}.db`);
    const store = new SqliteUserStore({ path: file });
    const [a, b] = [user(), user()];
    try {
      await store.create(a);
      await store.create(b);
      for (const day of ['2024-02-27', '2024-02-28', '2024-02-29']) {
        await store.countAdd(a.id, day);
        await store.countAdd(b.id, day);
      }
      await store.countAdd(a.id, '2024-03-02'); // cutoff 2024-02-29 (leap year)
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      const rows = db.prepare('SELECT user_id, day, count FROM user_adds ORDER BY user_id, day').all();
      expect(rows).toEqual(
        [
          { user_id: a.id, day: '2024-02-29', count: 1 },
          { user_id: a.id, day: '2024-03-02', count: 1 },
          ...['2024-02-27', '2024-02-28', '2024-02-29'].map((day) => ({ user_id: b.id, day, count: 1 })),
        ].sort((x, y) => (x.user_id < y.user_id ? -1 : x.user_id > y.user_id ? 1 : 0)),
      );
    } finally {
      db.close();
    }
  });
});

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `test:user-store:${randomBytes(6).toString('hex')}:`;
let redisSubjects = 0;

/** Only the fields createUserStore reads; the rest of Config does not concern it. */
const factoryConfig = (backend: Config['cache']['backend'], dbPath: string): Config =>
  ({
    cache: { backend, dbPath } satisfies Pick<Config['cache'], 'backend' | 'dbPath'>,
    redis: { url: REDIS_URL, password: undefined, keyPrefix: `${runPrefix}factory:` } satisfies Config['redis'],
  }) as unknown as Config;

describe('createUserStore', () => {
  test('memory: a JsonUserStore at users.json beside CACHE_DB_PATH', async () => {
    const dbPath = path.join(dir, `factory-${files++}/cache.db`);
    const store = await createUserStore(factoryConfig('memory', dbPath));
    try {
      expect(store).toBeInstanceOf(JsonUserStore);
      await store.create(user());
      expect(readdirSync(path.dirname(dbPath))).toEqual(['users.json']);
    } finally {
      await store.close();
    }
  });

  test('sqlite: a SqliteUserStore in the CACHE_DB_PATH file', async () => {
    const dbPath = path.join(dir, `factory-${files++}/cache.db`);
    const store = await createUserStore(factoryConfig('sqlite', dbPath));
    try {
      expect(store).toBeInstanceOf(SqliteUserStore);
      const u = user();
      await store.create(u);
      const db = new Database(dbPath, { readonly: true });
      try {
        expect(db.prepare('SELECT id FROM users').all()).toEqual([{ id: u.id }]);
      } finally {
        db.close();
      }
    } finally {
      await store.close();
    }
  });
});

describe('redis', () => {
  let admin: Redis | undefined;
  beforeAll(async () => {
    // Unreachable Redis fails the suite everywhere (CI or not): a skipped backend would hide defects.
    try {
      await (await RedisUserStore.connect({ url: REDIS_URL, keyPrefix: runPrefix })).close();
    } catch (err) {
      const where = process.env.CI === 'true' ? 'CI=true' : 'local run';
      throw new Error(
        `[${where}] Redis tests need a reachable Redis (REDIS_URL=${REDIS_URL}): ${(err as Error).message}`,
      );
    }
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    if (!admin) return;
    let cursor = '0';
    do {
      const [nextCursor, keys] = await admin.scan(cursor, 'MATCH', `${runPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await admin.del(...keys);
      cursor = nextCursor;
    } while (cursor !== '0');
    await admin.quit();
  });

  const open = (keyPrefix: string) => RedisUserStore.connect({ url: REDIS_URL, keyPrefix });
  describeContract('redis', { shared: true, countersPersist: true }, async () => {
    const prefix = `${runPrefix}${redisSubjects++}:`;
    return { store: await open(prefix), reopen: () => open(prefix) };
  });

  test('keys: users, user-names, user-tokens hashes and expiring user-adds counters under the prefix', async () => {
    const prefix = `${runPrefix}keys:`;
    const store = await open(prefix);
    try {
      const u = user({ limits: { addsPerDay: 2 } });
      await store.create(u);
      await store.countAdd(u.id, '2024-03-01');
      expect(JSON.parse((await admin!.hget(`${prefix}users`, u.id))!)).toEqual(u);
      expect(await admin!.hget(`${prefix}user-names`, u.name)).toBe(u.id);
      expect(await admin!.hget(`${prefix}user-tokens`, u.tokenHash)).toBe(u.id);
      expect(await admin!.get(`${prefix}user-adds:${u.id}:2024-03-01`)).toBe('1');
      for (const key of [`${prefix}user-adds:${u.id}:2024-03-01`, `${prefix}user-add-days:${u.id}`]) {
        const ttl = await admin!.ttl(key);
        expect(ttl).toBeGreaterThan(2 * 86_400 - 60);
        expect(ttl).toBeLessThanOrEqual(2 * 86_400);
      }
      // A different prefix is a different set of users.
      const elsewhere = await open(`${runPrefix}keys-other:`);
      try {
        expect(await elsewhere.list()).toEqual([]);
        expect(await elsewhere.findByTokenHash(u.tokenHash)).toBeUndefined();
        await elsewhere.create(user({ name: u.name }));
      } finally {
        await elsewhere.close();
      }
      expect(await store.remove(u.id)).toBe(true);
      expect(await admin!.keys(`${prefix}*`)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  test('connect names the URL, never the password, when Redis is unreachable', async () => {
    const started = Date.now();
    const err = await rejection(RedisUserStore.connect({ url: 'redis://:s3cret@127.0.0.1:1', keyPrefix: runPrefix }));
    expect(err.message).toMatch(/Cannot reach Redis at redis:\/\/.*127\.0\.0\.1:1/);
    expect(err.message).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  test('createUserStore for redis: a connected RedisUserStore on REDIS_URL and REDIS_KEY_PREFIX', async () => {
    const store = await createUserStore(factoryConfig('redis', path.join(dir, 'unused.db')));
    try {
      expect(store).toBeInstanceOf(RedisUserStore);
      const u = user();
      await store.create(u);
      expect(await admin!.hget(`${runPrefix}factory:users`, u.id)).not.toBeNull();
    } finally {
      await store.close();
    }
  });
});
