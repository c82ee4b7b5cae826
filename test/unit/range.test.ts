import { contentRange, evaluateIfRange, parseRange, unsatisfiedRange } from '../../src/domain/range.js';

const partial = (...ranges: Array<[number, number]>) => ({
  kind: 'partial',
  ranges: ranges.map(([start, end]) => ({ start, end })),
});
const FULL = { kind: 'full' };
const UNSAT = { kind: 'unsatisfiable' };

describe('parseRange', () => {
  describe('ignored headers (full response)', () => {
    it.each([
      ['absent', undefined],
      ['empty', ''],
      ['no equals sign', 'bytes 0-1'],
      ['other unit', 'items=0-1'],
      ['unit only', 'bytes='],
      ['only commas', 'bytes= , ,'],
      ['lone dash', 'bytes=-'],
      ['garbage', 'bytes=abc'],
      ['last before first', 'bytes=5-1'],
      ['one invalid spec poisons the set', 'bytes=0-1,5-1'],
      ['exponent notation', 'bytes=1e3-'],
      ['negative start', 'bytes=--1'],
      ['signed', 'bytes=+1-2'],
      ['decimal', 'bytes=1.5-2'],
      ['hex', 'bytes=0x10-'],
      ['whitespace inside a spec', 'bytes=0 - 1'],
      ['beyond MAX_SAFE_INTEGER start', `bytes=${'9'.repeat(20)}-`],
      ['beyond MAX_SAFE_INTEGER end', `bytes=0-${'9'.repeat(20)}`],
      ['beyond MAX_SAFE_INTEGER suffix', `bytes=-${'9'.repeat(20)}`],
      ['two dashes', 'bytes=0-1-2'],
      ['unicode digits', 'bytes=١-٢'],
    ])('%s', (_label, header) => {
      expect(parseRange(header, 100)).toEqual(FULL);
    });

    it('treats the unit case-insensitively', () => {
      expect(parseRange('Bytes=0-1', 100)).toEqual(partial([0, 1]));
      expect(parseRange('BYTES=0-1', 100)).toEqual(partial([0, 1]));
    });

    it('accepts MAX_SAFE_INTEGER itself', () => {
      expect(parseRange(`bytes=0-${Number.MAX_SAFE_INTEGER}`, 100)).toEqual(partial([0, 99]));
    });
  });

  describe('single ranges', () => {
    it('closed range', () => expect(parseRange('bytes=0-9', 100)).toEqual(partial([0, 9])));
    it('exactly one byte', () => expect(parseRange('bytes=0-0', 100)).toEqual(partial([0, 0])));
    it('last byte', () => expect(parseRange('bytes=99-99', 100)).toEqual(partial([99, 99])));
    it('open-ended', () => expect(parseRange('bytes=10-', 100)).toEqual(partial([10, 99])));
    it('open-ended from zero', () => expect(parseRange('bytes=0-', 100)).toEqual(partial([0, 99])));
    it('end clamped to size-1', () => expect(parseRange('bytes=50-1000', 100)).toEqual(partial([50, 99])));
    it('leading zeros are digits too', () => expect(parseRange('bytes=007-009', 100)).toEqual(partial([7, 9])));
    it('start == size is unsatisfiable', () => expect(parseRange('bytes=100-', 100)).toEqual(UNSAT));
    it('start > size is unsatisfiable', () => expect(parseRange('bytes=500-600', 100)).toEqual(UNSAT));
  });

  describe('suffix ranges', () => {
    it('last N bytes', () => expect(parseRange('bytes=-10', 100)).toEqual(partial([90, 99])));
    it('N == size is the whole file', () => expect(parseRange('bytes=-100', 100)).toEqual(partial([0, 99])));
    it('N > size is the whole file', () => expect(parseRange('bytes=-500', 100)).toEqual(partial([0, 99])));
    it('-0 is unsatisfiable', () => expect(parseRange('bytes=-0', 100)).toEqual(UNSAT));
    it('-1 is the last byte', () => expect(parseRange('bytes=-1', 1)).toEqual(partial([0, 0])));
  });

  describe('empty representation', () => {
    it.each(['bytes=0-', 'bytes=0-0', 'bytes=-1', 'bytes=-0', 'bytes=0-1,-5'])('%s is unsatisfiable', (header) => {
      expect(parseRange(header, 0)).toEqual(UNSAT);
    });
    it('an invalid header is still ignored', () => expect(parseRange('bytes=x', 0)).toEqual(FULL));
  });

  describe('whitespace', () => {
    it('around list elements and after =', () =>
      expect(parseRange('bytes= 0-1 , 5-6', 100)).toEqual(partial([0, 1], [5, 6])));
    it('tabs and surrounding space', () => expect(parseRange(' bytes\t=\t0-1\t', 100)).toEqual(partial([0, 1])));
    it('empty list elements are skipped', () =>
      expect(parseRange('bytes=0-1,,5-6,', 100)).toEqual(partial([0, 1], [5, 6])));
  });

  describe('multiple ranges', () => {
    it('keeps request order when disjoint', () => {
      expect(parseRange('bytes=50-59,0-9', 100)).toEqual(partial([50, 59], [0, 9]));
    });
    it('drops unsatisfiable members but keeps the rest', () => {
      expect(parseRange('bytes=200-300,0-9,150-', 100)).toEqual(partial([0, 9]));
    });
    it('all members unsatisfiable -> unsatisfiable', () => {
      expect(parseRange('bytes=200-300,100-,-0', 100)).toEqual(UNSAT);
    });
    it('mixes suffix and int ranges', () => {
      expect(parseRange('bytes=0-0,-1', 100)).toEqual(partial([0, 0], [99, 99]));
    });
    it('coalesces overlapping ranges, sorted', () => {
      expect(parseRange('bytes=50-60,0-10,55-70', 100)).toEqual(partial([0, 10], [50, 70]));
    });
    it('coalesces adjacent ranges', () => {
      expect(parseRange('bytes=0-9,10-19', 100)).toEqual(partial([0, 19]));
    });
    it('does not merge ranges separated by a gap', () => {
      expect(parseRange('bytes=0-9,11-19', 100)).toEqual(partial([0, 9], [11, 19]));
    });
    it('coalesces duplicates (the classic amplification request)', () => {
      expect(parseRange(`bytes=${Array(50).fill('0-').join(',')}`, 100)).toEqual(partial([0, 99]));
    });
    it('a contained range disappears into its container', () => {
      expect(parseRange('bytes=0-99,10-20', 100)).toEqual(partial([0, 99]));
    });
    it('exactly 16 disjoint ranges keep request order', () => {
      const specs = Array.from({ length: 16 }, (_, i) => `${(15 - i) * 4}-${(15 - i) * 4 + 1}`);
      const result = parseRange(`bytes=${specs.join(',')}`, 100);
      expect(result).toEqual(
        partial(...Array.from({ length: 16 }, (_, i) => [(15 - i) * 4, (15 - i) * 4 + 1] as [number, number])),
      );
    });
    it('more than 16 ranges are sorted and merged', () => {
      const specs = Array.from({ length: 17 }, (_, i) => `${(16 - i) * 2}-${(16 - i) * 2 + 1}`);
      expect(parseRange(`bytes=${specs.join(',')}`, 100)).toEqual(partial([0, 33]));
    });
    it('more than 16 disjoint ranges collapse into the spanning range', () => {
      const specs = Array.from({ length: 17 }, (_, i) => `${i * 3}-${i * 3}`);
      expect(parseRange(`bytes=${specs.join(',')}`, 100)).toEqual(partial([0, 48]));
    });
    it('17 requested but only a few satisfiable ones are kept as they are', () => {
      const specs = ['0-1', '5-6', ...Array(15).fill('1000-')];
      expect(parseRange(`bytes=${specs.join(',')}`, 100)).toEqual(partial([0, 1], [5, 6]));
    });
    it('never mutates or shares range objects across calls', () => {
      const a = parseRange('bytes=0-5,3-9', 100);
      const b = parseRange('bytes=0-5,3-9', 100);
      expect(a).toEqual(b);
      expect(a).not.toBe(b);
    });
  });
});

describe('contentRange / unsatisfiedRange', () => {
  it('formats a satisfied range', () => expect(contentRange({ start: 0, end: 9 }, 100)).toBe('bytes 0-9/100'));
  it('formats a one-byte range', () => expect(contentRange({ start: 5, end: 5 }, 6)).toBe('bytes 5-5/6'));
  it('formats a 416 value', () => expect(unsatisfiedRange(100)).toBe('bytes */100'));
  it('formats a 416 value for an empty file', () => expect(unsatisfiedRange(0)).toBe('bytes */0'));
});

describe('evaluateIfRange', () => {
  const etag = '"abc123"';
  const lastModified = new Date('1994-11-06T08:49:37.000Z');

  it('no header -> honour the range', () => expect(evaluateIfRange(undefined, etag, lastModified)).toBe(true));
  it('strong ETag exact match', () => expect(evaluateIfRange('"abc123"', etag, lastModified)).toBe(true));
  it('surrounding whitespace is tolerated', () =>
    expect(evaluateIfRange('  "abc123" ', etag, lastModified)).toBe(true));
  it('different ETag', () => expect(evaluateIfRange('"abc124"', etag, lastModified)).toBe(false));
  it('ETag comparison is case-sensitive', () => expect(evaluateIfRange('"ABC123"', etag, lastModified)).toBe(false));
  it('unquoted ETag does not match', () => expect(evaluateIfRange('abc123', etag, lastModified)).toBe(false));
  it('weak ETag in If-Range never matches', () =>
    expect(evaluateIfRange('W/"abc123"', etag, lastModified)).toBe(false));
  it('weak server ETag never matches', () =>
    expect(evaluateIfRange('W/"abc123"', 'W/"abc123"', lastModified)).toBe(false));
  it('a strong tag against our weak tag does not match', () =>
    expect(evaluateIfRange('"abc123"', 'W/"abc123"', lastModified)).toBe(false));
  it('empty header -> full response', () => expect(evaluateIfRange('', etag, lastModified)).toBe(false));

  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT'],
    ['RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT'],
    ['asctime', 'Sun Nov  6 08:49:37 1994'],
    ['IMF-fixdate, other case', 'sun, 06 NOV 1994 08:49:37 gmt'],
  ])('%s equal to Last-Modified matches', (_label, date) => {
    expect(evaluateIfRange(date, etag, lastModified)).toBe(true);
  });

  it('compares to the second (sub-second Last-Modified is truncated)', () => {
    expect(evaluateIfRange('Sun, 06 Nov 1994 08:49:37 GMT', etag, new Date('1994-11-06T08:49:37.999Z'))).toBe(true);
  });
  it('a date one second off does not match', () => {
    expect(evaluateIfRange('Sun, 06 Nov 1994 08:49:38 GMT', etag, lastModified)).toBe(false);
    expect(evaluateIfRange('Sun, 06 Nov 1994 08:49:36 GMT', etag, lastModified)).toBe(false);
  });
  it('the output of Date#toUTCString round-trips', () => {
    const now = new Date('2024-02-29T23:59:59.000Z');
    expect(evaluateIfRange(now.toUTCString(), etag, now)).toBe(true);
  });
  it('RFC 850 two-digit years after 2000', () => {
    expect(evaluateIfRange('Thursday, 29-Feb-24 23:59:59 GMT', etag, new Date('2024-02-29T23:59:59Z'))).toBe(true);
  });
  it.each([
    ['not a date', 'yesterday'],
    ['ISO 8601', '1994-11-06T08:49:37Z'],
    ['missing GMT', 'Sun, 06 Nov 1994 08:49:37'],
    ['other zone', 'Sun, 06 Nov 1994 08:49:37 PST'],
    ['bad month', 'Sun, 06 Foo 1994 08:49:37 GMT'],
    ['impossible day', 'Mon, 31 Feb 1994 08:49:37 GMT'],
    ['bad hour', 'Sun, 06 Nov 1994 24:49:37 GMT'],
    ['bad second', 'Sun, 06 Nov 1994 08:49:60 GMT'],
    ['day zero', 'Sun, 00 Nov 1994 08:49:37 GMT'],
  ])('%s -> full response', (_label, value) => {
    expect(evaluateIfRange(value, etag, lastModified)).toBe(false);
  });
  it('an invalid Last-Modified never matches', () => {
    expect(evaluateIfRange('Sun, 06 Nov 1994 08:49:37 GMT', etag, new Date(NaN))).toBe(false);
  });
});
