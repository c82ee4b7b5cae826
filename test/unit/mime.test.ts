import { isWebReady, mediaKind, mimeTypeFor } from '../../src/domain/mime.js';

describe('mimeTypeFor', () => {
  it.each([
    ['movie.mp4', 'video/mp4'],
    ['movie.mkv', 'video/x-matroska'],
    ['movie.avi', 'video/x-msvideo'],
    ['movie.webm', 'video/webm'],
    ['movie.mov', 'video/quicktime'],
    ['movie.flv', 'video/x-flv'],
    ['movie.m4v', 'video/x-m4v'],
    ['movie.wmv', 'video/x-ms-wmv'],
    ['movie.mpg', 'video/mpeg'],
    ['movie.mpeg', 'video/mpeg'],
    ['movie.ts', 'video/mp2t'],
    ['song.mp3', 'audio/mpeg'],
    ['song.wav', 'audio/wav'],
    ['song.ogg', 'audio/ogg'],
    ['song.flac', 'audio/flac'],
    ['song.m4a', 'audio/mp4'],
    ['song.aac', 'audio/aac'],
    ['song.opus', 'audio/opus'],
    ['subs.srt', 'application/x-subrip'],
    ['subs.vtt', 'text/vtt'],
    ['subs.ass', 'text/x-ssa'],
    ['subs.ssa', 'text/x-ssa'],
    ['cover.jpg', 'image/jpeg'],
    ['cover.jpeg', 'image/jpeg'],
    ['cover.png', 'image/png'],
    ['release.nfo', 'text/plain'],
    ['readme.txt', 'text/plain'],
  ])('%s -> %s', (name, type) => {
    expect(mimeTypeFor(name)).toBe(type);
  });

  it.each(['MOVIE.MP4', 'Movie.Mp4', 'movie.mP4'])('is case-insensitive (%s)', (name) => {
    expect(mimeTypeFor(name)).toBe('video/mp4');
  });

  it.each([
    // Not .rar: mime-db knows it (application/vnd.rar); the case is "an extension nobody knows".
    ['unknown extension', 'archive.qqq'],
    ['no extension', 'README'],
    ['trailing dot', 'movie.'],
    ['empty name', ''],
    ['hidden file without extension', '.mkv'],
    ['prototype key', 'x.constructor'],
    ['prototype key __proto__', 'x.__proto__'],
    ['prototype key toString', 'x.toString'],
    ['dot in a folder only', 'Show.S01/README'],
    ['dot in a Windows folder only', 'Show.mkv\\README'],
  ])('%s -> application/octet-stream', (_label, name) => {
    expect(mimeTypeFor(name)).toBe('application/octet-stream');
  });

  it('uses the last extension only', () => {
    expect(mimeTypeFor('movie.mkv.part')).toBe('application/octet-stream');
    expect(mimeTypeFor('movie.part.mkv')).toBe('video/x-matroska');
  });

  it('looks at the last path segment, either separator', () => {
    expect(mimeTypeFor('Show/Season 1/ep.mp4')).toBe('video/mp4');
    expect(mimeTypeFor('Show\\Season 1\\ep.mkv')).toBe('video/x-matroska');
  });

  it('handles dots and spaces in names', () => {
    expect(mimeTypeFor('The.Movie.2019.1080p.x264 (final).mkv')).toBe('video/x-matroska');
  });
});

describe('mediaKind', () => {
  it.each([
    ['a.mp4', 'video'],
    ['a.MKV', 'video'],
    ['a.avi', 'video'],
    ['a.ts', 'video'],
    ['a.mp3', 'audio'],
    ['a.FLAC', 'audio'],
    ['a.m4a', 'audio'],
    ['a.srt', 'subtitle'],
    ['a.vtt', 'subtitle'],
    ['a.ass', 'subtitle'],
    ['a.ssa', 'subtitle'],
    ['a.nfo', 'other'],
    ['a.jpg', 'other'],
    ['a.txt', 'other'],
    ['a.exe', 'other'],
    ['noext', 'other'],
    ['x.constructor', 'other'],
  ])('%s -> %s', (name, kind) => {
    expect(mediaKind(name)).toBe(kind);
  });

  it.each([
    ['a.mka', 'audio'],
    ['a.m2v', 'video'],
    ['a.vob', 'video'],
    ['a.sub', 'subtitle'],
    ['.mkv', 'other'],
    ['a.m3u', 'other'],
    ['a.asx', 'other'],
    ['a.mks', 'other'],
  ])('beyond the common ones, by MIME type with playlists and metafiles excluded: %s -> %s', (name, kind) => {
    expect(mediaKind(name)).toBe(kind);
  });
});

describe('isWebReady', () => {
  it.each(['a.mp4', 'a.M4V', 'a.webm', 'dir/a.MP4'])('%s plays in a browser', (name) => {
    expect(isWebReady(name)).toBe(true);
  });
  it.each(['a.mkv', 'a.avi', 'a.mov', 'a.ts', 'a.mp3', 'a.srt', 'mp4', '.mp4', 'a.mp4.part', ''])(
    '%s does not',
    (name) => {
      expect(isWebReady(name)).toBe(false);
    },
  );
});
