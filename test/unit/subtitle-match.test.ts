import { subtitleFilesFor, subtitleLang } from '../../src/domain/subtitle-match.js';

const files = [
  { index: 0, name: 'Show.S01E01.mkv' },
  { index: 1, name: 'Show.S01E02.mkv' },
  { index: 2, name: 'Show.S01E02.en.srt' },
  { index: 3, name: 'Show.S01E01.srt' },
  { index: 4, name: 'English.srt' },
  { index: 5, name: 'Show.S01E01.ass' },
  { index: 6, name: 'Show.S01E01.de.vtt' },
];

describe('subtitleFilesFor', () => {
  it('keeps SRT/VTT of the same episode or of none, own-name ones first', () => {
    expect(subtitleFilesFor(files, files[0]).map((f) => f.index)).toEqual([3, 6, 4]);
    expect(subtitleFilesFor(files, files[1]).map((f) => f.index)).toEqual([2, 4]);
  });

  it('a video without an episode number gets every convertible subtitle', () => {
    expect(
      subtitleFilesFor([...files, { index: 7, name: 'Movie.mkv' }], { index: 7, name: 'Movie.mkv' }).map(
        (f) => f.index,
      ),
    ).toEqual([2, 3, 4, 6]);
    expect(subtitleFilesFor(files, undefined).map((f) => f.index)).toEqual([2, 3, 4, 6]);
  });
});

describe('subtitleLang', () => {
  it.each([
    ['Movie.en.srt', 'en'],
    ['Movie.ENG.srt', 'eng'],
    ['Subs/English.srt', 'English'],
    ['Show.S01E01.srt', 'Show.S01E01'],
    ['Movie.x264.srt', 'Movie.x264'],
    ['Subs/Movie.srt', 'Movie'],
  ])('%s -> %s', (name, lang) => {
    expect(subtitleLang(name)).toBe(lang);
  });
});
