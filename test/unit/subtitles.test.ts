import { decodeSubtitle, srtToVtt } from '../../src/domain/subtitles.js';

const SRT =
  '1\n00:00:01,000 --> 00:00:02,500\nHello, world\n\n2\n00:00:03,000 --> 00:00:04,000\nSecond line é\nwith two lines\n';
const VTT =
  'WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nHello, world\n\n2\n00:00:03.000 --> 00:00:04.000\nSecond line é\nwith two lines\n';

describe('srtToVtt', () => {
  it('converts a well-formed SRT', () => {
    expect(srtToVtt(SRT)).toBe(VTT);
  });

  it('normalises CRLF and lone CR', () => {
    expect(srtToVtt(SRT.replace(/\n/g, '\r\n'))).toBe(VTT);
    expect(srtToVtt(SRT.replace(/\n/g, '\r'))).toBe(VTT);
  });

  it('strips a BOM', () => {
    expect(srtToVtt(`\uFEFF${SRT}`)).toBe(VTT);
  });

  it('only touches commas on timing lines', () => {
    const out = srtToVtt('1\n00:00:01,000 --> 00:00:02,000\nOne, two, 00:00:01,000\n');
    expect(out).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nOne, two, 00:00:01,000\n');
  });

  it('tolerates missing cue numbers', () => {
    const out = srtToVtt('00:00:01,000 --> 00:00:02,000\nFirst\n\n00:00:03,000 --> 00:00:04,000\nSecond\n');
    expect(out).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFirst\n\n00:00:03.000 --> 00:00:04.000\nSecond\n');
  });

  it('tolerates trailing whitespace and whitespace-only separator lines', () => {
    const out = srtToVtt(
      '1  \n00:00:01,000 --> 00:00:02,000   \nFirst  \n   \n2\t\n00:00:03,000 --> 00:00:04,000\nSecond\n\n\n\n',
    );
    expect(out).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nFirst\n\n2\n00:00:03.000 --> 00:00:04.000\nSecond\n');
  });

  it('collapses runs of blank lines and ignores leading blank lines', () => {
    const out = srtToVtt('\n\n\n1\n00:00:01,000 --> 00:00:02,000\nA\n\n\n\n2\n00:00:03,000 --> 00:00:04,000\nB');
    expect(out).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nA\n\n2\n00:00:03.000 --> 00:00:04.000\nB\n');
  });

  it('starts a new cue at a timing line even without a blank line before it', () => {
    const out = srtToVtt('1\n00:00:01,000 --> 00:00:02,000\nA\n2\n00:00:03,000 --> 00:00:04,000\nB\n');
    expect(out).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nA\n\n2\n00:00:03.000 --> 00:00:04.000\nB\n');
  });

  it('pads sloppy timestamps to HH:MM:SS.mmm', () => {
    const out = srtToVtt('0:0:1,5 --> 0:00:02\nA\n');
    expect(out).toBe('WEBVTT\n\n00:00:01.500 --> 00:00:02.000\nA\n');
  });

  it('keeps hours above 99', () => {
    expect(srtToVtt('100:00:01,000 --> 100:00:02,000\nA\n')).toBe('WEBVTT\n\n100:00:01.000 --> 100:00:02.000\nA\n');
  });

  it('accepts timestamps that already use a dot, and no spaces around the arrow', () => {
    expect(srtToVtt('00:00:01.000-->00:00:02.000\nA\n')).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA\n');
  });

  it('drops SRT coordinates after the timing', () => {
    const out = srtToVtt('1\n00:00:01,000 --> 00:00:02,000  X1:100 X2:200 Y1:10 Y2:20\nA\n');
    expect(out).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nA\n');
  });

  it('keeps formatting tags in cue text', () => {
    const out = srtToVtt('1\n00:00:01,000 --> 00:00:02,000\n<i>italic</i> <b>bold</b>\n');
    expect(out).toContain('\n<i>italic</i> <b>bold</b>\n');
  });

  it('neutralises "-->" inside cue text', () => {
    const out = srtToVtt('1\n00:00:01,000 --> 00:00:02,000\nA --> B\n');
    expect(out).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nA -> B\n');
  });

  it('drops blocks that have no timing line', () => {
    const out = srtToVtt('garbage\n\n1\n00:00:01,000 --> 00:00:02,000\nA\n\n42\n');
    expect(out).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nA\n');
  });

  it('a cue with a timing line but no text is kept', () => {
    expect(srtToVtt('1\n00:00:01,000 --> 00:00:02,000\n')).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n');
  });

  it.each(['', '\uFEFF', '\n\n', 'not a subtitle at all'])(
    'input without cues yields just the header (%j)',
    (input) => {
      expect(srtToVtt(input)).toBe('WEBVTT\n\n');
    },
  );

  it('passes WebVTT through, only normalising line endings', () => {
    expect(srtToVtt('\uFEFFWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nHi\r\n')).toBe(
      'WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n',
    );
  });

  it('does not mistake "WEBVTTX" for a header', () => {
    expect(srtToVtt('WEBVTTX\n\n00:00:01,000 --> 00:00:02,000\nA\n')).toBe(
      'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA\n',
    );
  });
});

describe('decodeSubtitle', () => {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const utf16le = (s: string) => new Uint8Array(Buffer.from(s, 'utf16le'));
  const utf16be = (s: string) => {
    const le = Buffer.from(s, 'utf16le');
    return new Uint8Array(le.swap16());
  };
  const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

  it('decodes UTF-8', () => expect(decodeSubtitle(utf8('Café 日本語 🎬'))).toBe('Café 日本語 🎬'));
  it('strips a UTF-8 BOM', () =>
    expect(decodeSubtitle(cat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8('Café')))).toBe('Café'));
  it('only strips one BOM', () => {
    expect(decodeSubtitle(cat(new Uint8Array([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), utf8('x')))).toBe('\uFEFFx');
  });
  it('decodes pure ASCII', () => expect(decodeSubtitle(utf8('1\n00:00:01,000'))).toBe('1\n00:00:01,000'));
  it('decodes empty input', () => expect(decodeSubtitle(new Uint8Array())).toBe(''));

  it('decodes UTF-16LE with BOM', () => {
    expect(decodeSubtitle(cat(new Uint8Array([0xff, 0xfe]), utf16le('Café 日本語')))).toBe('Café 日本語');
  });
  it('decodes UTF-16BE with BOM', () => {
    expect(decodeSubtitle(cat(new Uint8Array([0xfe, 0xff]), utf16be('Café 日本語')))).toBe('Café 日本語');
  });
  it('a bare UTF-16 BOM is empty text', () => {
    expect(decodeSubtitle(new Uint8Array([0xff, 0xfe]))).toBe('');
  });

  it('falls back to windows-1252 for invalid UTF-8', () => {
    // "Café – “quoted” €" in cp1252: é=E9, en dash=96, quotes=93/94, euro=80 (not ISO-8859-1!)
    const bytes = new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x20, 0x96, 0x20, 0x93, 0x71, 0x94, 0x20, 0x80]);
    expect(decodeSubtitle(bytes)).toBe('Café – “q” €');
  });
  it('a single stray high byte is enough to choose windows-1252', () => {
    expect(decodeSubtitle(cat(utf8('plain ascii then '), new Uint8Array([0xe8])))).toBe('plain ascii then è');
  });
  it('a truncated UTF-8 sequence at the end is not valid UTF-8', () => {
    expect(decodeSubtitle(new Uint8Array([0x61, 0xc3]))).toBe('aÃ');
  });
  it('a UTF-8 BOM with broken content stays UTF-8 (replacement characters)', () => {
    expect(decodeSubtitle(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff]))).toBe('a\uFFFD');
  });

  it('feeds srtToVtt end to end', () => {
    const bytes = cat(new Uint8Array([0xff, 0xfe]), utf16le('1\r\n00:00:01,000 --> 00:00:02,000\r\nÉté\r\n'));
    expect(srtToVtt(decodeSubtitle(bytes))).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nÉté\n');
  });
});

describe('decodeSubtitle windows-1252 table', () => {
  // WHATWG index-windows-1252 for 0x80-0x9F; the five undefined bytes map to their C1 code points.
  const expected = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
  it('maps every byte 0x80-0x9F like a browser does (not like Latin-1)', () => {
    const bytes = new Uint8Array([0xff, ...Array.from({ length: 32 }, (_, i) => 0x80 + i)]);
    expect(decodeSubtitle(bytes)).toBe(`ÿ${expected}`);
  });
  it('maps ASCII and 0xA0-0xFF to the same code points', () => {
    const bytes = new Uint8Array(Array.from({ length: 256 }, (_, i) => i).filter((b) => b < 0x80 || b >= 0xa0));
    const text = decodeSubtitle(new Uint8Array([...bytes, 0x80]));
    expect([...text.slice(0, -1)].map((c) => c.codePointAt(0))).toEqual([...bytes]);
  });
});
