import { LINE_CHARS, MAX_LINES, posterSvg, wrapText } from '../../src/domain/poster-svg.js';

const HASH = 'a'.repeat(40);
const lines = (svg: string) => [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]!);
const unescape = (text: string) =>
  text.replace(
    /&lt;|&gt;|&quot;|&apos;|&amp;/g,
    (e) => ({ '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&amp;': '&' })[e]!,
  );

describe('posterSvg', () => {
  it('is a 2:3 SVG document with the name, a gradient and nothing else at its root', () => {
    const svg = posterSvg('Fixture Movie', HASH);
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="300" height="450" viewBox="0 0 300 450"[^>]*>/,
    );
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<svg\b/g)).toHaveLength(1);
    expect(svg).toContain('<linearGradient id="bg"');
    expect(svg).toContain('fill="url(#bg)"');
    expect(lines(svg)).toEqual(['Fixture Movie']);
    expect(svg).toContain('<title>Fixture Movie</title>');
  });

  it('escapes <>&"\' everywhere the name appears', () => {
    const name = `<script>alert("x")</script> & 'Tom'`;
    const svg = posterSvg(name, HASH);
    expect(svg).not.toContain('<script');
    expect(svg).not.toMatch(/&(?!(?:lt|gt|amp|quot|apos);)/);
    expect(svg).toContain('aria-label="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;Tom&apos;"');
    // Wrapped over lines (which may split at any point), the text still reads as the name.
    expect(unescape(lines(svg).join('')).replace(/\s/g, '')).toBe(name.replace(/\s/g, ''));
    // Outside the markup itself, no raw quote or angle bracket survives from the name.
    const text = svg.replace(/<[^<>]*>/g, '');
    expect(text).not.toMatch(/[<>"']/);
  });

  it('drops characters XML cannot carry', () => {
    const svg = posterSvg('a\u0000b\u0007c\ud800d\ufffe', HASH);
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/);
    expect(lines(svg)).toEqual(['a b cd']);
  });

  it('wraps a long name over a few lines and truncates it with an ellipsis', () => {
    const name =
      'The Extraordinarily Long Title Of A Film That Goes On And On Well Beyond Any Reasonable Poster Size 2160p';
    const out = lines(posterSvg(name, HASH));
    expect(out).toHaveLength(MAX_LINES);
    for (const line of out) expect(Array.from(line).length).toBeLessThanOrEqual(LINE_CHARS);
    expect(out[0]).toBe('The');
    expect(out.at(-1)!.endsWith('…')).toBe(true);
    expect(out.join(' ')).not.toContain('2160p');
    // The accessible title keeps the whole name.
    expect(posterSvg(name, HASH)).toContain(`<title>${name}</title>`);
  });

  it('breaks dotted release names at the dots and cuts words longer than a line', () => {
    expect(wrapText('Show.S01E01.1080p.WEB-DL.x264', 16, 6)).toEqual(['Show.S01E01.', '1080p.WEB-DL.', 'x264']);
    expect(wrapText('x'.repeat(40), 16, 6)).toEqual(['x'.repeat(16), 'x'.repeat(16), 'x'.repeat(8)]);
    expect(wrapText('short', 16, 6)).toEqual(['short']);
    expect(wrapText('', 16, 6)).toEqual([]);
  });

  it('counts in code points, never splitting an emoji or astral character', () => {
    const out = wrapText('😀'.repeat(20), 16, 6);
    expect(out).toEqual(['😀'.repeat(16), '😀'.repeat(4)]);
  });

  it('is deterministic per seed, and the colours follow the seed', () => {
    const colours = (svg: string) => [...svg.matchAll(/stop-color="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    expect(posterSvg('Same', HASH)).toBe(posterSvg('Same', HASH));
    expect(colours(posterSvg('Same', HASH))).toHaveLength(2);
    const hues = new Set(['0', '1', '2', '3', '4', '5'].map((c) => colours(posterSvg('Same', c.repeat(40))).join()));
    expect(hues.size).toBeGreaterThan(1);
    expect(colours(posterSvg('Other name', HASH))).toEqual(colours(posterSvg('Same', HASH)));
  });
});
