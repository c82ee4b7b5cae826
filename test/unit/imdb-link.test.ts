import { linksFor, matchLink, parseImdbLinkFields, type ImdbLink } from '../../src/domain/imdb-link.js';

const H = 'a'.repeat(40);
const pack = [
  { index: 0, name: 'Show.S01E01.720p.mkv', length: 500 },
  { index: 1, name: 'Show.S01E01.1080p.mkv', length: 900 },
  { index: 2, name: 'Show.S01E02.1080p.mkv', length: 800 },
  { index: 3, name: 'Show.S02E01.1080p.mkv', length: 700 },
  { index: 4, name: 'Show.S01E01.srt', length: 5 },
];
const movie = [
  { index: 0, name: 'sample.mkv', length: 10 },
  { index: 1, name: 'Movie.2024.mkv', length: 1000 },
];

describe('parseImdbLinkFields', () => {
  it('accepts JSON numbers and form strings', () => {
    expect(parseImdbLinkFields({})).toBeUndefined();
    expect(parseImdbLinkFields({ imdbId: '' })).toBeUndefined();
    expect(parseImdbLinkFields({ imdbId: ' tt0111161 ' })).toEqual({ imdbId: 'tt0111161' });
    expect(parseImdbLinkFields({ imdbId: 'tt1', season: '2', episode: 3 })).toEqual({
      imdbId: 'tt1',
      season: 2,
      episode: 3,
    });
  });

  it.each([
    [{ imdbId: 'nm0000001' }, /imdbId/],
    [{ imdbId: 123 }, /imdbId/],
    [{ imdbId: 'tt1', season: 0 }, /season/],
    [{ imdbId: 'tt1', season: 1.5 }, /season/],
    [{ imdbId: 'tt1', season: '1e2' }, /season/],
    [{ imdbId: 'tt1', season: 1, episode: -1 }, /episode/],
    [{ imdbId: 'tt1', episode: 1 }, /episode needs a season/],
    [{ episode: 1 }, /need an imdbId/],
  ])('%j is invalid', (fields, message) => {
    expect(() => parseImdbLinkFields(fields)).toThrow(message);
  });
});

describe('linksFor', () => {
  it('a movie links its largest video', () => {
    expect(linksFor({ imdbId: 'tt1' }, H, movie, 5)).toEqual([
      { imdbId: 'tt1', infoHash: H, createdAt: 5, fileIndex: 1, fileName: 'Movie.2024.mkv' },
    ]);
  });

  it('a pack becomes one link per episode, the largest file of each', () => {
    const links = linksFor({ imdbId: 'tt2' }, H, pack, 5);
    expect(links.map((l) => [l.season, l.episode, l.fileIndex])).toEqual([
      [1, 1, 1],
      [1, 2, 2],
      [2, 1, 3],
    ]);
  });

  it('a season narrows a pack to that season', () => {
    expect(linksFor({ imdbId: 'tt2', season: 2 }, H, pack, 5).map((l) => [l.season, l.episode, l.fileIndex])).toEqual([
      [2, 1, 3],
    ]);
  });

  it('an explicit episode picks its file, else the default file', () => {
    expect(linksFor({ imdbId: 'tt2', season: 1, episode: 2 }, H, pack, 5)[0]).toMatchObject({
      fileIndex: 2,
      fileName: 'Show.S01E02.1080p.mkv',
    });
    expect(linksFor({ imdbId: 'tt3', season: 4, episode: 4 }, H, movie, 5)[0]).toMatchObject({
      season: 4,
      episode: 4,
      fileIndex: 1,
    });
  });

  it('without metadata the link is stored as given', () => {
    expect(linksFor({ imdbId: 'tt2', season: 1 }, H, [], 5)).toEqual([
      { imdbId: 'tt2', season: 1, infoHash: H, createdAt: 5 },
    ]);
    expect(linksFor({ imdbId: 'tt1' }, H, [], 5)).toEqual([{ imdbId: 'tt1', infoHash: H, createdAt: 5 }]);
  });
});

describe('matchLink', () => {
  const link = (extra: Partial<ImdbLink>): ImdbLink => ({ imdbId: 'tt2', infoHash: H, createdAt: 1, ...extra });

  it('movie requests match links without season/episode only', () => {
    expect(matchLink(link({ fileIndex: 7 }), { imdbId: 'tt2' }, [])).toEqual({ fileIndex: 7 });
    expect(matchLink(link({}), { imdbId: 'tt2' }, movie)).toEqual({ fileIndex: 1 });
    expect(matchLink(link({}), { imdbId: 'tt2' }, [])).toEqual({ fileIndex: undefined });
    expect(matchLink(link({ season: 1, episode: 1 }), { imdbId: 'tt2' }, pack)).toBeUndefined();
    expect(matchLink(link({}), { imdbId: 'tt9' }, movie)).toBeUndefined();
  });

  it('episode links match their own episode only', () => {
    expect(
      matchLink(link({ season: 1, episode: 2, fileIndex: 2 }), { imdbId: 'tt2', season: 1, episode: 2 }, []),
    ).toEqual({ fileIndex: 2 });
    expect(matchLink(link({ season: 1, episode: 2 }), { imdbId: 'tt2', season: 1, episode: 2 }, pack)).toEqual({
      fileIndex: 2,
    });
    expect(matchLink(link({ season: 1, episode: 2 }), { imdbId: 'tt2', season: 1, episode: 3 }, pack)).toBeUndefined();
  });

  it('pack links resolve by file name, and only to a file named for the episode', () => {
    expect(matchLink(link({ season: 1 }), { imdbId: 'tt2', season: 1, episode: 1 }, pack)).toEqual({ fileIndex: 1 });
    expect(matchLink(link({ season: 1 }), { imdbId: 'tt2', season: 2, episode: 1 }, pack)).toBeUndefined();
    expect(matchLink(link({}), { imdbId: 'tt2', season: 2, episode: 1 }, pack)).toEqual({ fileIndex: 3 });
    expect(matchLink(link({}), { imdbId: 'tt2', season: 1, episode: 9 }, pack)).toBeUndefined();
    expect(matchLink(link({ season: 1 }), { imdbId: 'tt2', season: 1, episode: 1 }, [])).toBeUndefined();
  });
});
