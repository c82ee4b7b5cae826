import { contentDisposition } from '../../src/domain/content-disposition.js';

/** What an RFC 8187 client recovers from the header. */
function decodeStar(header: string): string | undefined {
  const m = /filename\*=UTF-8''([^;]*)$/.exec(header);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

describe('contentDisposition', () => {
  it('plain ASCII names get only the quoted filename', () => {
    expect(contentDisposition('attachment', 'movie.mp4')).toBe('attachment; filename="movie.mp4"');
    expect(contentDisposition('inline', 'The Movie (2019) [1080p].mkv')).toBe(
      'inline; filename="The Movie (2019) [1080p].mkv"',
    );
  });

  it('Amélie (2001).mkv: underscore fallback plus filename*', () => {
    const header = contentDisposition('attachment', 'Amélie (2001).mkv');
    expect(header).toBe(`attachment; filename="Am_lie (2001).mkv"; filename*=UTF-8''Am%C3%A9lie%20%282001%29.mkv`);
    expect(decodeStar(header)).toBe('Amélie (2001).mkv');
  });

  it('decomposed accents become one underscore per code point', () => {
    const header = contentDisposition('inline', 'Ame\u0301lie.mkv');
    expect(header).toContain('filename="Ame_lie.mkv"');
    expect(decodeStar(header)).toBe('Ame\u0301lie.mkv');
  });

  it('escapes quotes and backslashes in the fallback and adds filename*', () => {
    const header = contentDisposition('attachment', 'a"b\\c.mp4');
    expect(header).toBe(`attachment; filename="a\\"b\\\\c.mp4"; filename*=UTF-8''a%22b%5Cc.mp4`);
    expect(decodeStar(header)).toBe('a"b\\c.mp4');
  });

  it('日本語.mp4: one underscore per character (not per UTF-16 unit or byte)', () => {
    const header = contentDisposition('inline', '日本語.mp4');
    expect(header).toBe(`inline; filename="___.mp4"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.mp4`);
    expect(decodeStar(header)).toBe('日本語.mp4');
  });

  it('astral characters (surrogate pairs) are one underscore', () => {
    const header = contentDisposition('inline', '🎬.mp4');
    expect(header).toContain('filename="_.mp4"');
    expect(decodeStar(header)).toBe('🎬.mp4');
  });

  it('lone surrogates are encoded as U+FFFD, never as invalid UTF-8', () => {
    const header = contentDisposition('inline', 'a\ud800.mp4');
    expect(header).toContain("filename*=UTF-8''a%EF%BF%BD.mp4");
  });

  it('removes control characters, including CR/LF (header injection)', () => {
    const header = contentDisposition('attachment', 'evil\r\nSet-Cookie: x=1\u0000\u0007\u007f\u0085.mp4');
    expect(header).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(header).toBe('attachment; filename="evilSet-Cookie: x=1.mp4"');
  });

  it('removes path separators', () => {
    expect(contentDisposition('attachment', '../../etc/passwd')).toBe('attachment; filename="....etcpasswd"');
    expect(contentDisposition('attachment', '/abs/päth.mkv')).toBe(
      `attachment; filename="absp_th.mkv"; filename*=UTF-8''absp%C3%A4th.mkv`,
    );
  });

  it("percent-encodes every non attr-char, including ' ( ) * which encodeURIComponent leaves", () => {
    const header = contentDisposition('inline', "it's (a) *test*; é.mp4");
    expect(header).toContain("filename*=UTF-8''it%27s%20%28a%29%20%2Atest%2A%3B%20%C3%A9.mp4");
    expect(decodeStar(header)).toBe("it's (a) *test*; é.mp4");
  });

  it('keeps attr-chars literal', () => {
    const header = contentDisposition('inline', 'A-z_0.9!#$&+^`|~é');
    expect(header).toContain("filename*=UTF-8''A-z_0.9!#$&+^`|~%C3%A9");
  });

  it('a literal % triggers filename* so it cannot be mistaken for an escape', () => {
    expect(contentDisposition('inline', '100%.mp4')).toBe(`inline; filename="100%.mp4"; filename*=UTF-8''100%25.mp4`);
  });

  it('a semicolon inside the quoted fallback stays inside the quotes', () => {
    expect(contentDisposition('inline', 'a;b=c.mp4')).toBe('inline; filename="a;b=c.mp4"');
  });

  it.each(['', '   ', '/', '\r\n', '\u0000'])('an empty name after cleaning falls back to "download" (%j)', (name) => {
    expect(contentDisposition('attachment', name)).toBe('attachment; filename="download"');
  });

  it('trims surrounding whitespace', () => {
    expect(contentDisposition('inline', '  movie.mp4 ')).toBe('inline; filename="movie.mp4"');
  });

  it('the header only ever contains printable ASCII', () => {
    for (const name of ['Amélie.mkv', '日本語.mp4', '🎬', 'a"b\\c', 'x\ty', 'Ω≈ç√']) {
      expect(contentDisposition('attachment', name)).toMatch(/^[\u0020-\u007e]+$/);
    }
  });
});
