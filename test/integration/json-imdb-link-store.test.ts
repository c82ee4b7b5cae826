import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JsonImdbLinkStore } from '../../src/adapters/json-imdb-link-store.js';
import type { ImdbLink } from '../../src/domain/imdb-link.js';
import { silentLogger } from '../../src/logger.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tss-links-'));
  file = path.join(dir, 'nested', 'imdb-links.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const link = (imdbId: string, infoHash: string, createdAt: number, extra: Partial<ImdbLink> = {}): ImdbLink => ({
  imdbId,
  infoHash,
  createdAt,
  ...extra,
});

describe('JsonImdbLinkStore (real files)', () => {
  test('persists across instances, newest first, replacing the same link', async () => {
    const store = new JsonImdbLinkStore(file, silentLogger);
    expect(await store.find('tt1')).toEqual([]);
    await store.save([
      link('tt1', 'a', 1),
      link('tt1', 'b', 2, { season: 1, episode: 1, fileIndex: 3 }),
      link('tt2', 'a', 3),
    ]);
    await store.save([link('tt1', 'a', 4, { fileIndex: 9 })]);
    const reopened = new JsonImdbLinkStore(file, silentLogger);
    expect(await reopened.find('tt1')).toEqual([
      link('tt1', 'a', 4, { fileIndex: 9 }),
      link('tt1', 'b', 2, { season: 1, episode: 1, fileIndex: 3 }),
    ]);
    expect(await reopened.find('tt2')).toHaveLength(1);
  });

  test('concurrent saves all land and leave no temporary files behind', async () => {
    const store = new JsonImdbLinkStore(file, silentLogger);
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.save([link(`tt${i}`, 'h', i)])));
    const saved = JSON.parse(await readFile(file, 'utf8')) as { version: number; links: ImdbLink[] };
    expect(saved.version).toBe(1);
    expect(saved.links).toHaveLength(25);
    expect(await readdir(path.dirname(file))).toEqual(['imdb-links.json']);
  });

  test('an unreadable file means no links (not a crash), and the next save replaces it', async () => {
    const store = new JsonImdbLinkStore(path.join(dir, 'bad.json'), silentLogger);
    await writeFile(path.join(dir, 'bad.json'), '{"links": [tru');
    expect(await store.find('tt1')).toEqual([]);
    await store.save([link('tt1', 'a', 1)]);
    expect(await new JsonImdbLinkStore(path.join(dir, 'bad.json'), silentLogger).find('tt1')).toHaveLength(1);
  });

  test('entries that are not links are skipped', async () => {
    await writeFile(
      path.join(dir, 'odd.json'),
      JSON.stringify({ version: 1, links: [null, { imdbId: 'tt1' }, link('tt1', 'a', 1)] }),
    );
    expect(await new JsonImdbLinkStore(path.join(dir, 'odd.json'), silentLogger).find('tt1')).toEqual([
      link('tt1', 'a', 1),
    ]);
  });
});
