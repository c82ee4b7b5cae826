import { parseEpisode, pickEpisodeFile } from '../../src/domain/episode.js';

describe('parseEpisode', () => {
  it.each([
    ['Show.S01E02.1080p.WEB.x264.mkv', 1, 2],
    ['show.s1e2.mkv', 1, 2],
    ['Show S01.E02 Title.mkv', 1, 2],
    ['Show S01 E02.mkv', 1, 2],
    ['Show_S01_E02.mkv', 1, 2],
    ['Show-S01-E02.mkv', 1, 2],
    ['Show_S03E04_720p.mkv', 3, 4],
    ['Show.S10E100.mkv', 10, 100],
    ['Show.S00E01.Special.mkv', 0, 1],
    ['Show.S01E01E02.Double.mkv', 1, 1],
    ['Show.S01E01-E02.mkv', 1, 1],
    ['Show 1x02 Title.avi', 1, 2],
    ['Show.10x120.avi', 10, 120],
    ['Show - 2X05.mkv', 2, 5],
    ['Show Season 1 Episode 2.mp4', 1, 2],
    ['Show.Season.01.Episode.02.mp4', 1, 2],
    ['Show season 3 ep 7.mp4', 3, 7],
    ['Show - Season 2 - Episode 10.mp4', 2, 10],
    ['Show.2019.S02E03.2160p.HDR.x265.mkv', 2, 3],
    ['Show.1080p.S02E03.mkv', 2, 3],
    ['Pack/Season 9/Show.S01E02.mkv', 1, 2],
    ['Pack\\Show.S04E05.mkv', 4, 5],
  ])('%s -> S%iE%i', (name, season, episode) => {
    expect(parseEpisode(name)).toEqual({ season, episode });
  });

  it.each([
    'Movie.2019.1080p.BluRay.x264.mkv',
    'Movie.2160p.x265.HEVC.mkv',
    'Movie 1920x1080.mkv',
    'Movie 720x480.avi',
    'Movie.x264-GROUP.mkv',
    'Movie (2019).mp4',
    'Show.S01.Complete.1080p.mkv',
    'Episode 2.mp4',
    'Season 1.mp4',
    'Shows01e02.mkv',
    'Show.1x2.mkv',
    'Show.S123E02.mkv',
    'Show.123x02.mkv',
    'Show.1x1234.mkv',
    'Show.S01E1234.mkv',
    'BS01E02.mkv',
    'Show.S01E02/README.txt',
    '',
  ])('%s -> undefined', (name) => {
    expect(parseEpisode(name)).toBeUndefined();
  });

  it('prefers the SxxEyy tag over a later NxNN-looking token', () => {
    expect(parseEpisode('Show.S02E03.1x04.mkv')).toEqual({ season: 2, episode: 3 });
  });

  it('accepts zero-padded three-digit episodes but not three-digit seasons', () => {
    expect(parseEpisode('Show.S001E002.mkv')).toBeUndefined();
    expect(parseEpisode('Show.S09E009.mkv')).toEqual({ season: 9, episode: 9 });
  });
});

describe('pickEpisodeFile', () => {
  const f = (name: string, length: number) => ({ name, length });

  it('picks the matching video', () => {
    const files = [f('Show.S01E01.mkv', 100), f('Show.S01E02.mkv', 200), f('Show.S01E03.mkv', 300)];
    expect(pickEpisodeFile(files, 1, 2)).toBe(files[1]);
  });

  it('picks the largest match (not the sample)', () => {
    const files = [f('Show.S01E02.sample.mkv', 10), f('Show.S01E02.mkv', 1000), f('Show.S01E02.proof.mkv', 20)];
    expect(pickEpisodeFile(files, 1, 2)).toBe(files[1]);
  });

  it('ignores non-video files with the same tag', () => {
    const files = [f('Show.S01E02.srt', 5000), f('Show.S01E02.nfo', 9000), f('Show.S01E02.mp4', 100)];
    expect(pickEpisodeFile(files, 1, 2)).toBe(files[2]);
  });

  it('returns undefined when only non-video files match', () => {
    expect(pickEpisodeFile([f('Show.S01E02.srt', 1)], 1, 2)).toBeUndefined();
  });

  it('does not confuse seasons', () => {
    const files = [f('Show.S02E02.mkv', 900), f('Show.S01E02.mkv', 100)];
    expect(pickEpisodeFile(files, 1, 2)).toBe(files[1]);
    expect(pickEpisodeFile(files, 3, 2)).toBeUndefined();
  });

  it('matches across naming styles', () => {
    const files = [f('a/Show 1x05.avi', 50), f('b/Show.S01E05.mkv', 40)];
    expect(pickEpisodeFile(files, 1, 5)).toBe(files[0]);
  });

  it('keeps the first of equally large matches', () => {
    const files = [f('A.S01E01.mkv', 100), f('B.S01E01.mp4', 100)];
    expect(pickEpisodeFile(files, 1, 1)).toBe(files[0]);
  });

  it('handles an empty list', () => {
    expect(pickEpisodeFile([], 1, 1)).toBeUndefined();
  });

  it('keeps extra properties (generic)', () => {
    const files = [{ name: 'S01E01.mkv', length: 1, index: 7 }];
    expect(pickEpisodeFile(files, 1, 1)?.index).toBe(7);
  });
});
