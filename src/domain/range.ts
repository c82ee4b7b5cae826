/**
 * RFC 9110 byte ranges (sections 13.1.5 If-Range, 14 Range Requests).
 * Pure: the HTTP layer turns the result into 200 / 206 / 416.
 */

/** Inclusive on both ends, like the wire format. */
export interface ByteRange {
  start: number;
  end: number;
}

export type RangeRequest = { kind: 'full' } | { kind: 'partial'; ranges: ByteRange[] } | { kind: 'unsatisfiable' };

/**
 * Beyond this many parts a multipart/byteranges answer is mostly boundary overhead and a cheap way to
 * make us seek all over a torrent (RFC 9110 14.2 lets a server coalesce or ignore such sets).
 */
const MAX_RANGES = 16;

const FULL: RangeRequest = { kind: 'full' };

type Spec = { kind: 'int'; first: number; last?: number } | { kind: 'suffix'; length: number };

/**
 * Invalid headers (bad syntax, unknown unit, last < first, numbers that are not plain digits or exceed
 * MAX_SAFE_INTEGER) are ignored rather than rejected, as RFC 9110 14.2 says: the client gets the full
 * representation. Only a well-formed set with no satisfiable member yields 'unsatisfiable' (416).
 *
 * Ranges are returned in request order. If the set overlaps/touches itself or has more than MAX_RANGES
 * parts, it is sorted and merged instead (RFC 9110 14.2 allows it, and it defeats the classic
 * "many overlapping ranges" amplification); a set that is still too large afterwards collapses into the
 * single range spanning it, which keeps the answer bounded to what was asked for.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return FULL;
  const specs = parseSpecs(header);
  if (!specs) return FULL;

  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const range = resolve(spec, size);
    if (range) ranges.push(range);
  }
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  if (ranges.length === 1) return { kind: 'partial', ranges };

  if (ranges.length <= MAX_RANGES && !overlapsOrTouches(ranges)) return { kind: 'partial', ranges };
  const merged = coalesce(ranges);
  if (merged.length <= MAX_RANGES) return { kind: 'partial', ranges: merged };
  return { kind: 'partial', ranges: [{ start: merged[0]!.start, end: merged[merged.length - 1]!.end }] };
}

/** `bytes 0-9/100` */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** `bytes *\/100`, the Content-Range a 416 carries. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

/**
 * True when a Range may be honoured under this If-Range (RFC 9110 13.1.5). Only a strong comparison
 * counts: a weak tag on either side never matches, and a date must equal Last-Modified to the second
 * (HTTP dates have no sub-second part). Anything unparseable means "send the whole thing", which is
 * always a correct answer.
 */
export function evaluateIfRange(ifRange: string | undefined, etag: string, lastModified: Date): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('W/') || value.startsWith('"')) {
    return value.startsWith('"') && !etag.startsWith('W/') && value === etag;
  }
  const date = parseHttpDate(value);
  return date !== undefined && date === Math.floor(lastModified.getTime() / 1000);
}

function parseSpecs(header: string): Spec[] | undefined {
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return undefined;
  // Empty list elements ("0-1,,2-3") must be tolerated per RFC 9110 5.6.1, but at least one is required.
  const parts = header
    .slice(eq + 1)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return undefined;

  const specs: Spec[] = [];
  for (const part of parts) {
    // OWS is only allowed around list elements; "0 - 1" is not a range-spec, so the header is ignored.
    const m = /^(\d*)-(\d*)$/.exec(part);
    if (!m) return undefined;
    const [, a = '', b = ''] = m;
    if (a === '') {
      const length = toInt(b);
      if (length === undefined) return undefined;
      specs.push({ kind: 'suffix', length });
      continue;
    }
    const first = toInt(a);
    const last = b === '' ? undefined : toInt(b);
    if (first === undefined || (b !== '' && last === undefined)) return undefined;
    if (last !== undefined && last < first) return undefined;
    specs.push(last === undefined ? { kind: 'int', first } : { kind: 'int', first, last });
  }
  return specs;
}

/** Digits only; "" or values that lose precision as a double are invalid, not clamped. */
function toInt(digits: string): number | undefined {
  if (!/^\d+$/.test(digits)) return undefined;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}

function resolve(spec: Spec, size: number): ByteRange | undefined {
  if (spec.kind === 'suffix') {
    if (spec.length === 0 || size === 0) return undefined;
    return { start: Math.max(0, size - spec.length), end: size - 1 };
  }
  if (spec.first >= size) return undefined;
  return { start: spec.first, end: Math.min(spec.last ?? size - 1, size - 1) };
}

function overlapsOrTouches(ranges: ByteRange[]): boolean {
  const sorted = [...ranges].sort((x, y) => x.start - y.start);
  return sorted.some((r, i) => i > 0 && r.start <= sorted[i - 1]!.end + 1);
}

function coalesce(ranges: ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((x, y) => x.start - y.start);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The three HTTP-date forms of RFC 9110 5.6.7, in seconds since the epoch. Date.parse is not used:
 * it accepts far more than HTTP dates and reads the asctime form in the local time zone.
 */
function parseHttpDate(value: string): number | undefined {
  const imf = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/i.exec(value);
  const rfc850 = /^[a-z]{6,9}, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/i.exec(value);
  const asctime = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i.exec(value);
  let parts: [string, string, string, string, string, string] | undefined;
  if (imf) parts = [imf[3]!, imf[2]!, imf[1]!, imf[4]!, imf[5]!, imf[6]!];
  else if (rfc850) {
    // Two-digit years: RFC 9110 says to pick the most recent past year with those digits; for
    // validator comparison the 1970-2069 window is equivalent in practice.
    const yy = Number(rfc850[3]);
    parts = [String(yy < 70 ? 2000 + yy : 1900 + yy), rfc850[2]!, rfc850[1]!, rfc850[4]!, rfc850[5]!, rfc850[6]!];
  } else if (asctime) parts = [asctime[6]!, asctime[1]!, asctime[2]!.trim(), asctime[3]!, asctime[4]!, asctime[5]!];
  if (!parts) return undefined;

  const [year, mon, day, hh, mm, ss] = parts;
  const month = MONTHS.indexOf(mon.toLowerCase());
  const [y, d, h, mi, s] = [year, day, hh, mm, ss].map(Number) as [number, number, number, number, number];
  if (month < 0 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, month, d, h, mi, s);
  // Date.UTC rolls "31 Feb" into March; a date that does not round-trip is not a real date.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms / 1000;
}
