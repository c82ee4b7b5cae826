import { buildM3u, buildStrm } from '../../src/domain/m3u.js';

describe('buildM3u', () => {
  it('an empty playlist is just the header', () => {
    expect(buildM3u([])).toBe('#EXTM3U\n');
  });

  it('writes EXTINF and URL lines per item, in order', () => {
    expect(
      buildM3u([
        { title: 'Episode 1', url: 'http://host/stream/a?fileIndex=0' },
        { title: 'Episode 2', url: 'http://host/stream/a?fileIndex=1' },
      ]),
    ).toBe(
      '#EXTM3U\n#EXTINF:-1,Episode 1\nhttp://host/stream/a?fileIndex=0\n#EXTINF:-1,Episode 2\nhttp://host/stream/a?fileIndex=1\n',
    );
  });

  it('keeps commas in titles (only the first comma is the separator)', () => {
    expect(buildM3u([{ title: 'Hello, World, Again', url: 'u' }])).toBe('#EXTM3U\n#EXTINF:-1,Hello, World, Again\nu\n');
  });

  it('replaces CR, LF and CRLF in titles with a space (no injected entries)', () => {
    const out = buildM3u([{ title: 'a\r\n#EXTINF:-1,evil\nb\rc', url: 'u' }]);
    expect(out).toBe('#EXTM3U\n#EXTINF:-1,a #EXTINF:-1,evil b c\nu\n');
    expect(out.split('\n')).toHaveLength(4);
  });

  it('percent-encodes line breaks in URLs', () => {
    expect(buildM3u([{ title: 't', url: 'http://h/x\r\nhttp://evil/' }])).toBe(
      '#EXTM3U\n#EXTINF:-1,t\nhttp://h/x%0D%0Ahttp://evil/\n',
    );
  });

  it('keeps unicode titles untouched', () => {
    expect(buildM3u([{ title: 'Amélie — 日本語', url: 'u' }])).toBe('#EXTM3U\n#EXTINF:-1,Amélie — 日本語\nu\n');
  });

  it.each([
    [120, '120'],
    [0, '0'],
    [59.6, '60'],
    [undefined, '-1'],
    [-5, '-1'],
    [NaN, '-1'],
    [Infinity, '-1'],
  ])('duration %p -> %s', (durationSeconds, expected) => {
    expect(buildM3u([{ title: 't', url: 'u', durationSeconds }])).toBe(`#EXTM3U\n#EXTINF:${expected},t\nu\n`);
  });
});

describe('buildStrm', () => {
  it('is the URL and a newline', () => {
    expect(buildStrm('http://host/stream/abc?fileIndex=2')).toBe('http://host/stream/abc?fileIndex=2\n');
  });
  it('keeps it to one line', () => {
    expect(buildStrm('http://h/a\nhttp://evil/')).toBe('http://h/a%0Ahttp://evil/\n');
  });
  it('an empty URL is still one line', () => {
    expect(buildStrm('')).toBe('\n');
  });
});
