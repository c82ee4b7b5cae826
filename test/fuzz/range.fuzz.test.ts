import fc from 'fast-check';
import {
  contentRange,
  evaluateIfRange,
  parseRange,
  unsatisfiedRange,
  type ByteRange,
  type RangeRequest,
} from '../../src/domain/range.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';

// Property-based fuzzing of src/domain/range.ts (RFC 9110 Range / If-Range). The structured headers
// are generated together with what RFC 9110 says they mean, so the parser is checked against an
// independent model, not only for "does not throw". FUZZ_RUNS / FUZZ_SEED: see runs.ts.

const RUNS = 300;
const params = <T>(runs = RUNS) => fuzzParameters<T>(runs);
const timeout = fuzzTimeout(RUNS, 2);

const MAX_RANGES = 16; // the documented cap in range.ts

// ---------------------------------------------------------------- arbitraries

/** Representation sizes: empty, tiny, ordinary, and up to MAX_SAFE_INTEGER. */
const sizeArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 100 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 10_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) },
);

/** Any string a client could put in a header (and then some: lone surrogates, NUL, controls). */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(...'bytes=-,0123456789 \t;*/'.split('')), maxLength: 60 }),
);

/** OWS allowed around list elements (RFC 9110 5.6.1 / 5.6.3). */
const ows = fc.constantFrom('', '', '', ' ', '\t', '  ', ' \t ');

/** A list element as text, and what it means: an int/suffix spec, an empty element, or a syntax error. */
type Element =
  | { kind: 'spec'; text: string; first: number; last?: number }
  | { kind: 'suffix'; text: string; length: number }
  | { kind: 'empty'; text: string }
  | { kind: 'invalid'; text: string };

/** Decimal text of n, sometimes with leading zeros (still digits, still n). */
const digits = (n: number) => fc.nat({ max: 3 }).map((zeros) => '0'.repeat(zeros) + String(n));

/** Numbers around the interesting points of a representation of `size` bytes. */
const positionArb = (size: number) =>
  fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, Math.min(size + 2, Number.MAX_SAFE_INTEGER)) }),
    fc.constantFrom(0, 1, Math.max(0, size - 1), size, Math.min(size + 1, Number.MAX_SAFE_INTEGER)),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fc.constant(Number.MAX_SAFE_INTEGER),
  );

/** Text that is not a range-spec: each of these makes the whole header ignored (full response). */
const invalidElementArb = (size: number): fc.Arbitrary<string> =>
  fc.oneof(
    // last < first
    fc
      .tuple(positionArb(size), positionArb(size))
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => `${Math.max(a, b)}-${Math.min(a, b)}`),
    // numbers a double cannot hold exactly (beyond MAX_SAFE_INTEGER)
    fc
      .bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: 10n ** 30n })
      .chain((big) => fc.constantFrom(`${big}-`, `0-${big}`, `-${big}`, `${big}-${big}`)),
    // signs, negatives, decimals, exponents, hex, inner whitespace, extra dashes, unicode digits
    fc
      .integer({ min: 1, max: 1000 })
      .chain((n) =>
        fc.constantFrom(
          `-${n}-`,
          `--${n}`,
          `+${n}-`,
          `${n}.5-`,
          `0-${n}.0`,
          `${n}e3-`,
          `0x${n}-`,
          `${n} -`,
          `0 - ${n}`,
          `0-${n}-${n}`,
          `${n}`,
          `-`,
          `\u0661-\u0662`,
          `${n}-\u00a0${n}`,
          `${n};-`,
        ),
      ),
    // arbitrary text with no comma (a comma would just split it into more elements)
    fc
      .string({ unit: 'binary', minLength: 1, maxLength: 12 })
      .filter((s) => !s.includes(',') && !/^\s*(\d*-\d*)?\s*$/.test(s)),
  );

const elementArb = (size: number): fc.Arbitrary<Element> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.tuple(positionArb(size), positionArb(size)).chain(([a, b]) =>
        fc.tuple(digits(Math.min(a, b)), digits(Math.max(a, b))).map(([x, y]): Element => ({
          kind: 'spec',
          text: `${x}-${y}`,
          first: Math.min(a, b),
          last: Math.max(a, b),
        })),
      ),
    },
    {
      weight: 2,
      arbitrary: positionArb(size).chain((a) =>
        digits(a).map((x) => ({ kind: 'spec' as const, text: `${x}-`, first: a })),
      ),
    },
    {
      weight: 2,
      arbitrary: positionArb(size).chain((n) =>
        digits(n).map((x) => ({ kind: 'suffix' as const, text: `-${x}`, length: n })),
      ),
    },
    { weight: 1, arbitrary: ows.map((text) => ({ kind: 'empty' as const, text })) },
  );

/**
 * Ascending specs in shuffled order, mostly disjoint but some adjacent or overlapping by a byte (random
 * specs mostly overlap): 1 to 24 of them, so the MAX_RANGES boundary is crossed both ways.
 */
const disjointElementsArb = (size: number): fc.Arbitrary<Element[]> =>
  fc
    .tuple(
      fc.nat({ max: Math.min(size, 1000) }),
      fc.array(
        fc.tuple(
          fc.oneof(
            { weight: 1, arbitrary: fc.constantFrom(0, 1) },
            { weight: 6, arbitrary: fc.integer({ min: 2, max: Math.max(2, Math.floor(size / 24)) }) },
          ),
          fc.nat({ max: 50 }),
        ),
        { minLength: 1, maxLength: 24, size: 'max' },
      ),
    )
    .map(([offset, parts]) => {
      let cursor = offset - 2;
      return parts.map(([gap, length]): Element => {
        const first = Math.max(0, cursor + gap);
        cursor = first + length;
        return { kind: 'spec', text: `${first}-${cursor}`, first, last: cursor };
      });
    })
    .map((elements) => elements.filter((e) => e.kind === 'spec' && (e.last ?? e.first) <= Number.MAX_SAFE_INTEGER))
    .chain((elements) => fc.shuffledSubarray(elements, { minLength: elements.length }));

const unitArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('bytes', 'Bytes', 'BYTES', 'bYtEs') },
  { weight: 1, arbitrary: fc.constantFrom('items', 'byte', 'bytes ', 'none', '', 'bytes;', 'x-bytes') },
);

interface StructuredCase {
  size: number;
  header: string;
  unitOk: boolean;
  elements: Element[];
}

/** `bytes=...` headers with their meaning: OWS around the unit, the '=' and every element. */
const structuredArb: fc.Arbitrary<StructuredCase> = sizeArb.chain((size) =>
  fc
    .record({
      unit: unitArb,
      lead: ows,
      elements: fc.oneof(
        fc.array(
          fc.record({ before: ows, element: elementArb(size), after: ows }),
          // beyond MAX_RANGES too, so sorting/merging/collapsing is exercised
          { minLength: 0, maxLength: 40, size: 'medium' },
        ),
        disjointElementsArb(size).chain((list) =>
          fc.tuple(...list.map((element) => fc.record({ before: ows, element: fc.constant(element), after: ows }))),
        ),
      ),
      // One bad element poisons the whole set, so only about one header in five gets any.
      poison: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.record({
            at: fc.nat(),
            before: ows,
            element: invalidElementArb(size).map((text): Element => ({ kind: 'invalid', text })),
            after: ows,
          }),
        },
      ),
    })
    .map(({ unit, lead, elements: valid, poison }) => {
      const elements = [...valid];
      if (poison) elements.splice(poison.at % (elements.length + 1), 0, poison);
      const unitOk = unit.trim().toLowerCase() === 'bytes' && !/[^\sa-z]/i.test(unit);
      const list = elements.map((e) => `${e.before}${e.element.text}${e.after}`).join(',');
      return { size, header: `${lead}${unit}${lead}=${list}`, unitOk, elements: elements.map((e) => e.element) };
    }),
);

// ---------------------------------------------------------------- the model (RFC 9110 14.1.2 / 14.2)

/** What a spec selects in a representation of `size` bytes, or undefined when it is unsatisfiable. */
function modelResolve(element: Element, size: number): ByteRange | undefined {
  if (element.kind === 'suffix') {
    return element.length === 0 || size === 0
      ? undefined
      : { start: Math.max(0, size - element.length), end: size - 1 };
  }
  if (element.kind !== 'spec' || element.first >= size) return undefined;
  return { start: element.first, end: Math.min(element.last ?? size - 1, size - 1) };
}

/** Union of ranges as sorted, disjoint, non-adjacent intervals (computed independently of range.ts). */
function union(ranges: ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** Structural validity of any answer, for any input. */
function assertWellFormed(result: RangeRequest, size: number): void {
  expect(['full', 'partial', 'unsatisfiable']).toContain(result.kind);
  if (result.kind !== 'partial') {
    expect(Object.keys(result)).toEqual(['kind']);
    return;
  }
  expect(result.ranges.length).toBeGreaterThanOrEqual(1);
  expect(result.ranges.length).toBeLessThanOrEqual(MAX_RANGES);
  for (const r of result.ranges) {
    expect(Object.keys(r).sort()).toEqual(['end', 'start']);
    expect(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end)).toBe(true);
    expect(r.start).toBeGreaterThanOrEqual(0);
    expect(r.start).toBeLessThanOrEqual(r.end);
    expect(r.end).toBeLessThanOrEqual(size - 1);
  }
  // Parts never overlap or touch (otherwise they would have been merged): the answer is bounded by size.
  const sorted = [...result.ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThan(sorted[i - 1]!.end + 1);
}

// ---------------------------------------------------------------- properties

describe('parseRange (fuzz)', () => {
  it(
    'never throws and always answers a well-formed result, for any string and size',
    () => {
      fc.assert(
        fc.property(anyString, sizeArb, (header, size) => {
          const result = parseRange(header, size);
          assertWellFormed(result, size);
          // No '=' or a unit other than bytes: the header is ignored.
          const eq = header.indexOf('=');
          if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') expect(result).toEqual({ kind: 'full' });
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'arbitrary text after "bytes=" never throws and stays within the file',
    () => {
      fc.assert(
        fc.property(anyString, sizeArb, (tail, size) => {
          assertWellFormed(parseRange(`bytes=${tail}`, size), size);
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'structured bytes= headers mean exactly what RFC 9110 says (model check)',
    () => {
      fc.assert(
        fc.property(structuredArb, ({ size, header, unitOk, elements }) => {
          const result = parseRange(header, size);
          assertWellFormed(result, size);

          const specs = elements.filter((e) => e.kind !== 'empty');
          // Bad unit, no spec at all, or any syntax error: ignore the header (RFC 9110 14.2).
          if (!unitOk || specs.length === 0 || specs.some((e) => e.kind === 'invalid')) {
            expect(result).toEqual({ kind: 'full' });
            return;
          }
          const wanted = specs.map((e) => modelResolve(e, size)).filter((r): r is ByteRange => r !== undefined);
          if (wanted.length === 0) {
            expect(result).toEqual({ kind: 'unsatisfiable' });
            return;
          }
          expect(result.kind).toBe('partial');
          const got = (result as { ranges: ByteRange[] }).ranges;
          const wantedUnion = union(wanted);

          // Nothing asked for is dropped: every satisfiable spec lies inside one returned part.
          for (const w of wanted) expect(got.some((g) => g.start <= w.start && w.end <= g.end)).toBe(true);

          if (wanted.length <= MAX_RANGES && wantedUnion.length === wanted.length) {
            // Disjoint, non-adjacent and few: returned as asked, in request order.
            expect(got).toEqual(wanted);
          } else if (wantedUnion.length <= MAX_RANGES) {
            // Overlapping or too many: sorted and merged, and nothing that was not asked for is added.
            expect(got).toEqual(wantedUnion);
          } else {
            // Still too many after merging: one part spanning them all.
            expect(got).toEqual([{ start: wantedUnion[0]!.start, end: wantedUnion[wantedUnion.length - 1]!.end }]);
          }
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'a single valid bytes=a-b inside the file round-trips exactly',
    () => {
      const arb = fc
        .integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
        .chain((size) =>
          fc.tuple(
            fc.constant(size),
            fc.integer({ min: 0, max: size - 1 }),
            fc.integer({ min: 0, max: size - 1 }),
            fc.constantFrom('bytes', 'Bytes', 'BYTES'),
            ows,
            ows,
          ),
        );
      fc.assert(
        fc.property(arb, ([size, x, y, unit, before, after]) => {
          const [a, b] = [Math.min(x, y), Math.max(x, y)];
          expect(parseRange(`${unit}=${before}${a}-${b}${after}`, size)).toEqual({
            kind: 'partial',
            ranges: [{ start: a, end: b }],
          });
          // The open-ended and suffix forms of the same family too.
          expect(parseRange(`bytes=${a}-`, size)).toEqual({ kind: 'partial', ranges: [{ start: a, end: size - 1 }] });
          expect(parseRange(`bytes=-${b + 1}`, size)).toEqual({
            kind: 'partial',
            ranges: [{ start: size - b - 1, end: size - 1 }],
          });
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'a range past the end is clamped, a start at or past the end is unsatisfiable',
    () => {
      const arb = fc
        .integer({ min: 0, max: 1_000_000 })
        .chain((size) =>
          fc.tuple(
            fc.constant(size),
            fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
            fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          ),
        );
      fc.assert(
        fc.property(arb, ([size, x, y]) => {
          const [a, b] = [Math.min(x, y), Math.max(x, y)];
          const result = parseRange(`bytes=${a}-${b}`, size);
          if (a >= size) expect(result).toEqual({ kind: 'unsatisfiable' });
          else expect(result).toEqual({ kind: 'partial', ranges: [{ start: a, end: Math.min(b, size - 1) }] });
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'returns fresh objects: mutating one answer never changes the next',
    () => {
      fc.assert(
        fc.property(structuredArb, ({ size, header }) => {
          const first = parseRange(header, size);
          const snapshot = JSON.stringify(parseRange(header, size));
          if (first.kind === 'partial') for (const r of first.ranges) r.start = r.end = -1;
          expect(JSON.stringify(parseRange(header, size))).toBe(snapshot);
        }),
        params(),
      );
    },
    timeout,
  );
});

describe('contentRange / unsatisfiedRange (fuzz)', () => {
  const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;

  it(
    'the Content-Range of every returned part parses back to that part, and re-requesting it answers it',
    () => {
      fc.assert(
        fc.property(structuredArb, ({ size, header }) => {
          const result = parseRange(header, size);
          if (result.kind === 'unsatisfiable') expect(unsatisfiedRange(size)).toBe(`bytes */${size}`);
          if (result.kind !== 'partial') return;
          for (const r of result.ranges) {
            const value = contentRange(r, size);
            const m = CONTENT_RANGE.exec(value);
            expect(m).not.toBeNull();
            expect({ start: Number(m![1]), end: Number(m![2]) }).toEqual(r);
            expect(Number(m![3])).toBe(size);
            // complete-length is the size; the part is inside it (RFC 9110 14.4)
            expect(Number(m![2])).toBeLessThan(Number(m![3]));
            expect(parseRange(`bytes=${m![1]}-${m![2]}`, size)).toEqual({ kind: 'partial', ranges: [r] });
          }
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'unsatisfiedRange is "bytes */size" for any size',
    () => {
      fc.assert(
        fc.property(fc.maxSafeNat(), (size) => {
          expect(unsatisfiedRange(size)).toBe(`bytes */${size}`);
        }),
        params(),
      );
    },
    timeout,
  );
});

describe('evaluateIfRange (fuzz)', () => {
  const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  const time = (d: Date) => `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;

  /** The three HTTP-date forms of RFC 9110 5.6.7, formatted here rather than by Date#toUTCString. */
  const imfFixdate = (d: Date) =>
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time(d)} GMT`;
  const rfc850 = (d: Date) =>
    `${LONG_DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCFullYear() % 100)} ${time(d)} GMT`;
  const asctime = (d: Date) =>
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${time(d)} ${d.getUTCFullYear()}`;

  /** Last-Modified values HTTP can express: four-digit years, whole seconds plus a sub-second part. */
  const lastModifiedArb = fc.date({
    min: new Date('1000-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  });
  /** For the RFC 850 form: its two-digit year is read in the 1970-2069 window. */
  const rfc850DateArb = fc.date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('2069-12-31T23:59:59Z'),
    noInvalidDate: true,
  });
  const strongEtagArb = fc
    .string({ unit: fc.constantFrom(...'abcdefXYZ0123456789-_.:/+=!#$%&'.split('')), maxLength: 40 })
    .map((s) => `"${s}"`);
  const anyDate = fc.oneof(fc.date(), fc.constant(new Date(NaN)), lastModifiedArb);

  it(
    'never throws and answers a boolean for any If-Range, ETag and Last-Modified',
    () => {
      fc.assert(
        fc.property(fc.option(anyString, { nil: undefined }), anyString, anyDate, (ifRange, etag, lastModified) => {
          const result = evaluateIfRange(ifRange, etag, lastModified);
          expect(typeof result).toBe('boolean');
          const value = ifRange?.trim();
          if (value === undefined) expect(result).toBe(true);
          // Strong comparison (RFC 9110 13.1.5): a weak tag on either side never matches, a strong one only itself.
          else if (value.startsWith('W/')) expect(result).toBe(false);
          else if (value.startsWith('"')) expect(result).toBe(!etag.startsWith('W/') && value === etag);
          // Neither a tag nor anything like an HTTP date (which needs digits): never a match.
          else if (!/\d/.test(value)) expect(result).toBe(false);
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'fuzzed date-like If-Range values never throw, and only the exact second matches',
    () => {
      const arb = fc.tuple(
        lastModifiedArb,
        fc.integer({ min: -3, max: 3 }),
        fc.constantFrom(imfFixdate, rfc850, asctime),
        fc.constantFrom(
          (s: string) => s,
          (s: string) => s.toLowerCase(),
          (s: string) => s.toUpperCase(),
          (s: string) => ` ${s}\t`,
          (s: string) => s.replace(/\d/, '9'),
          (s: string) => s.replace(' GMT', ' UTC'),
          (s: string) => s.slice(0, -1),
        ),
      );
      fc.assert(
        fc.property(arb, ([lastModified, offsetSeconds, format, mutate]) => {
          const sent = new Date(Math.floor(lastModified.getTime() / 1000) * 1000 + offsetSeconds * 1000);
          const value = mutate(format(sent));
          const result = evaluateIfRange(value, '"etag"', lastModified);
          expect(typeof result).toBe('boolean');
          if (offsetSeconds !== 0) expect(result).toBe(false);
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'an IMF-fixdate or asctime date equal to Last-Modified (to the second) matches, and one second off does not',
    () => {
      fc.assert(
        fc.property(
          lastModifiedArb,
          fc.constantFrom(imfFixdate, asctime),
          fc.constantFrom(-1, 1),
          (lastModified, format, off) => {
            expect(evaluateIfRange(format(lastModified), '"e"', lastModified)).toBe(true);
            const other = new Date(lastModified.getTime() + off * 1000);
            expect(evaluateIfRange(format(other), '"e"', lastModified)).toBe(false);
          },
        ),
        params(),
      );
    },
    timeout,
  );

  it(
    'an RFC 850 date equal to Last-Modified matches (1970-2069)',
    () => {
      fc.assert(
        fc.property(rfc850DateArb, (lastModified) => {
          expect(evaluateIfRange(rfc850(lastModified), '"e"', lastModified)).toBe(true);
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'Date#toUTCString of Last-Modified matches it (four-digit years)',
    () => {
      fc.assert(
        fc.property(lastModifiedArb, (lastModified) => {
          expect(evaluateIfRange(lastModified.toUTCString(), '"e"', lastModified)).toBe(true);
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'a strong ETag matches itself (whitespace around it tolerated) and nothing else',
    () => {
      fc.assert(
        fc.property(strongEtagArb, strongEtagArb, ows, ows, (etag, other, before, after) => {
          const lastModified = new Date(0);
          expect(evaluateIfRange(`${before}${etag}${after}`, etag, lastModified)).toBe(true);
          expect(evaluateIfRange(other, etag, lastModified)).toBe(other === etag);
          expect(evaluateIfRange(`W/${etag}`, etag, lastModified)).toBe(false);
          expect(evaluateIfRange(etag, `W/${etag}`, lastModified)).toBe(false);
        }),
        params(),
      );
    },
    timeout,
  );
});
