import { createHash } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors.js';
import {
  buildMagnet,
  normalizeInfoHash,
  parseMagnet,
  parseTorrentFile,
  parseTorrentInput,
  type ParsedTorrentInput,
} from '../../src/domain/torrent-input.js';
import { isInside, onDiskPath } from '../../src/adapters/webtorrent-paths.js';
import { bdecode, bencode, type Bencoded, type Decoded } from '../fixtures/bencode.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';

// Property-based fuzzing of src/domain/torrent-input.ts: whatever a user sends (JSON fields, magnet
// links, .torrent bytes), the answer is a valid input or a DomainError, and no file path that is
// accepted can leave the download folder. FUZZ_RUNS / FUZZ_SEED: see runs.ts.

const RUNS = 300;
const params = <T>(runs = RUNS) => fuzzParameters<T>(runs);
const timeout = fuzzTimeout(RUNS, 10);

const HEX40 = /^[0-9a-f]{40}$/;
const DOWNLOAD_DIR = path.resolve('/srv/tss/downloads');
const REJECT_CODES = ['INVALID_INPUT', 'UNSAFE_PATH'];

// ---------------------------------------------------------------- helpers

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** RFC 4648 base32 without padding, written here so it does not share code with the parser. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return bits > 0 ? out + B32[(buffer << (5 - bits)) & 31] : out;
}

/** Awaits `fn`; a rejection must be a DomainError with one of `codes`. Returns the value or undefined. */
async function resultOrDomainError<T>(fn: () => Promise<T>, codes = ['INVALID_INPUT']): Promise<T | undefined> {
  let value: T;
  try {
    value = await fn();
  } catch (err) {
    if (!(err instanceof DomainError)) throw new Error(`not a DomainError: ${String(err)}`, { cause: err });
    expect(codes).toContain(err.code);
    expect(typeof err.message).toBe('string');
    expect(err.message.length).toBeGreaterThan(0);
    return undefined;
  }
  return value;
}

/** Inside `root` and not `root` itself, whichever way the path is put together. */
function assertStrictlyInside(root: string, relative: string): void {
  for (const joined of [
    path.join(root, relative),
    path.resolve(root, relative),
    path.join(root, ...relative.split('/')),
  ]) {
    expect(joined.startsWith(root + path.sep)).toBe(true);
    const rel = path.relative(root, joined);
    // "..." and "..x" are ordinary names; only ".." itself (as a whole segment) climbs out.
    expect(rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)).toBe(false);
  }
}

/** The checks every accepted ParsedTorrentInput must pass. */
function assertValidParsed(parsed: ParsedTorrentInput): void {
  expect(parsed.infoHash).toMatch(HEX40);
  expect(Array.isArray(parsed.trackers)).toBe(true);
  for (const t of parsed.trackers) expect(typeof t === 'string' && t.length > 0).toBe(true);
  expect(new Set(parsed.trackers).size).toBe(parsed.trackers.length);
  if (parsed.name !== undefined) expect(typeof parsed.name === 'string' && parsed.name.length > 0).toBe(true);
  if (parsed.magnetUri !== undefined) expect(parsed.magnetUri.startsWith('magnet:?')).toBe(true);
  if (parsed.torrentFile !== undefined) expect(parsed.torrentFile).toBeInstanceOf(Uint8Array);
  // Piece data (newer fields): both or neither, hex SHA-1s and a positive size.
  const pieces = (parsed as { pieces?: unknown }).pieces;
  const pieceLength = (parsed as { pieceLength?: unknown }).pieceLength;
  expect(pieces === undefined).toBe(pieceLength === undefined);
  if (pieces !== undefined) {
    expect(Array.isArray(pieces)).toBe(true);
    for (const piece of pieces as unknown[]) expect(piece).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof pieceLength === 'number' && pieceLength > 0).toBe(true);
  }
}

/** Every accepted .torrent file path: '/'-separated plain segments, inside the torrent's folder. */
function assertSafeFiles(parsed: ParsedTorrentInput): void {
  expect(Array.isArray(parsed.files)).toBe(true);
  expect(parsed.files!.length).toBeGreaterThan(0);
  const torrentDir = path.join(DOWNLOAD_DIR, parsed.infoHash);
  for (const file of parsed.files!) {
    expect(typeof file.path).toBe('string');
    for (const segment of file.path.split('/')) {
      expect(['', '.', '..']).not.toContain(segment);
      expect(segment).not.toMatch(/[\\\0]/);
    }
    expect(path.isAbsolute(file.path)).toBe(false);
    assertStrictlyInside(DOWNLOAD_DIR, file.path);
    assertStrictlyInside(torrentDir, file.path);
    expect(Number.isSafeInteger(file.length) && file.length >= 0).toBe(true);
  }
}

/**
 * An accepted path must land, on disk, on a file strictly inside the torrent's folder, and the engine's
 * own check (webtorrent-torrent.ts: `isInside(torrentDir, onDiskPath(torrentDir, path))`) must agree.
 * Found by this fuzzer and fixed: names starting with two dots ("...And Justice for All") were refused,
 * names the store rewrites to ".." (".:.") were accepted, and a "pieces" that is not a byte string
 * came out as ["undefined"].
 */
/** Where the server really writes each accepted file: strictly inside its torrent folder, and its check agrees. */
function assertOnDiskInside(parsed: ParsedTorrentInput): void {
  const torrentDir = path.join(DOWNLOAD_DIR, parsed.infoHash);
  for (const file of parsed.files ?? []) {
    const onDisk = onDiskPath(torrentDir, file.path);
    expect({ path: file.path, onDisk, inside: onDisk.startsWith(torrentDir + path.sep) }).toEqual({
      path: file.path,
      onDisk,
      inside: true,
    });
    expect({ path: file.path, engineAccepts: isInside(torrentDir, onDisk) }).toEqual({
      path: file.path,
      engineAccepts: true,
    });
  }
}

// ---------------------------------------------------------------- arbitraries

const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxyz234567 \t\n'.split('')), maxLength: 50 }),
);

const hashBytes = fc.uint8Array({ minLength: 20, maxLength: 20 });

/** Things pasted where a hash goes: valid forms of a real hash, near misses, and junk. */
const hashLike = fc.oneof(
  hashBytes.map((b) => Buffer.from(b).toString('hex')),
  hashBytes.map((b) => Buffer.from(b).toString('hex').toUpperCase()),
  hashBytes.map((b) => base32(b)),
  hashBytes.map((b) => base32(b).toLowerCase()),
  hashBytes.map((b) => ` ${Buffer.from(b).toString('hex')}\n`),
  hashBytes.map((b) => Buffer.from(b).toString('hex').slice(1)),
  hashBytes.map((b) => `${Buffer.from(b).toString('hex')}0`),
  hashBytes.map((b) => `${base32(b)}=`),
  hashBytes.map((b) => `${base32(b).slice(0, 31)}1`),
  hashBytes.map((b) => Buffer.from(b).toString('hex').replace(/^./, 'g')),
  fc.constant(''),
  anyString,
);

/** Percent-encoded garbage: valid escapes, broken escapes, encoded surrogates and separators. */
const encodedGarbage = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
  fc.string({ unit: fc.constantFrom('%', '2', 'B', 'E', 'Z', '0', 'a', '&', '=', '+', '?', '#', ':'), maxLength: 16 }),
  fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%ED%A0%80', '%C0%AE', '%00', '%2e%2e%2f', '%F0%9F%98', '%uD800'),
);

const magnetParam = fc.oneof(
  { weight: 1, arbitrary: hashLike.map((h) => `xt=urn:btih:${h}`) },
  { weight: 1, arbitrary: fc.constant(`xt=urn:btmh:1220${'ab'.repeat(32)}`) },
  { weight: 1, arbitrary: hashLike.map((h) => `xt=URN:BTIH:${h}`) },
  { weight: 3, arbitrary: encodedGarbage.map((v) => `dn=${v}`) },
  { weight: 3, arbitrary: fc.oneof(encodedGarbage, fc.webUrl().map(encodeURIComponent)).map((v) => `tr=${v}`) },
  { weight: 1, arbitrary: fc.tuple(anyString, anyString).map(([k, v]) => `${k}=${v}`) },
  { weight: 1, arbitrary: anyString },
);

const validHash = fc.oneof(
  hashBytes.map((b) => Buffer.from(b).toString('hex')),
  hashBytes.map((b) => Buffer.from(b).toString('hex').toUpperCase()),
  hashBytes.map((b) => base32(b)),
  hashBytes.map((b) => base32(b).toLowerCase()),
);

/** Mostly well-formed links (one btih among other params, shuffled) so the accepting paths are exercised too. */
const magnetLike = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('magnet:?') },
      { weight: 2, arbitrary: fc.constantFrom('MAGNET:?', ' Magnet:?', '\tmagnet:?') },
      { weight: 1, arbitrary: fc.constantFrom('magnet:', 'magnet://?', '', 'http://x/?', 'magnet:?&') },
    ),
    fc.oneof(
      { weight: 6, arbitrary: validHash.map((h) => [`xt=urn:btih:${h}`]) },
      { weight: 1, arbitrary: validHash.map((h) => [`xt=urn:btih:${h}`, `xt=urn:btih:${h.toUpperCase()}`]) },
      {
        weight: 1,
        arbitrary: fc.tuple(validHash, validHash).map(([a, b]) => [`xt=urn:btih:${a}`, `xt=urn:btih:${b}`]),
      },
      { weight: 2, arbitrary: fc.constant([] as string[]) },
    ),
    fc.array(magnetParam, { maxLength: 6 }),
    fc.constantFrom('', '', '', ' ', '\n', '&', '#frag'),
  )
  .chain(([prefix, xts, others, suffix]) =>
    fc
      .shuffledSubarray([...xts, ...others], { minLength: xts.length + others.length })
      .map((ps) => `${prefix}${ps.join('&')}${suffix}`),
  );

const urlLike = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom(
    'ftp://example.com/a.torrent',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:,x',
    '/relative.torrent',
    'http://',
    'http://[::1',
    'http://%zz/',
    'https://example.com/%E0%A4%A',
    'HTTP://EXAMPLE.COM/A B',
    'http://127.0.0.1:99999/',
  ),
  anyString,
);

const fieldValue = fc.oneof(
  { weight: 3, arbitrary: magnetLike },
  { weight: 3, arbitrary: hashLike },
  { weight: 2, arbitrary: urlLike },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, '', '   ', '\t\n') },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

const bodyArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 3, arbitrary: fieldValue.map((magnetUri) => ({ magnetUri })) },
  { weight: 2, arbitrary: fieldValue.map((infoHash) => ({ infoHash })) },
  { weight: 2, arbitrary: fieldValue.map((torrentUrl) => ({ torrentUrl })) },
  // a magnet and an infoHash that agree (the same bytes in other spellings) or not
  {
    weight: 2,
    arbitrary: fc
      .tuple(hashBytes, fc.boolean(), fc.array(magnetParam, { maxLength: 3 }))
      .map(([bytes, sameHash, extra]) => ({
        magnetUri: [`magnet:?xt=urn:btih:${base32(bytes)}`, ...extra].join('&'),
        infoHash: sameHash ? Buffer.from(bytes).toString('hex') : Buffer.from(bytes.map((b) => b ^ 1)).toString('hex'),
      })),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      { magnetUri: fieldValue, infoHash: fieldValue, torrentUrl: fieldValue },
      { requiredKeys: [] },
    ) as fc.Arbitrary<Record<string, unknown>>,
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) as fc.Arbitrary<Record<string, unknown>> },
  { weight: 1, arbitrary: fc.dictionary(fc.string(), fc.anything({ maxDepth: 1 })) },
);

// ---------------------------------------------------------------- normalizeInfoHash / buildMagnet

describe('normalizeInfoHash (fuzz)', () => {
  it(
    'returns undefined or exactly 40 lowercase hex for any string, and is idempotent',
    () => {
      fc.assert(
        fc.property(fc.oneof(anyString, hashLike), (input) => {
          const hash = normalizeInfoHash(input);
          if (hash === undefined) return;
          expect(hash).toMatch(HEX40);
          expect(normalizeInfoHash(hash)).toBe(hash);
          // Only a whole 40-hex or 32-base32 token (plus surrounding whitespace) is a hash.
          expect(input.trim()).toMatch(/^([0-9a-f]{40}|[a-z2-7]{32})$/i);
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'the hex and base32 forms of any 20 bytes normalise to the same hash, in any case, with surrounding whitespace',
    () => {
      const ws = fc.constantFrom('', ' ', '\t', '\n', '\r\n ');
      fc.assert(
        fc.property(hashBytes, ws, ws, fc.boolean(), fc.boolean(), (bytes, before, after, upperHex, lowerB32) => {
          const expected = Buffer.from(bytes).toString('hex');
          const hex = upperHex ? expected.toUpperCase() : expected;
          const b32 = lowerB32 ? base32(bytes).toLowerCase() : base32(bytes);
          expect(b32).toHaveLength(32);
          expect(normalizeInfoHash(`${before}${hex}${after}`)).toBe(expected);
          expect(normalizeInfoHash(`${before}${b32}${after}`)).toBe(expected);
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'non-strings are never a hash',
    () => {
      fc.assert(
        fc.property(
          fc.anything().filter((v) => typeof v !== 'string'),
          (value) => {
            expect(normalizeInfoHash(value as string)).toBeUndefined();
          },
        ),
        params(),
      );
    },
    timeout,
  );
});

describe('buildMagnet (fuzz)', () => {
  it(
    'any hash string either gives a magnet of the normalised hash or an INVALID_INPUT DomainError',
    () => {
      fc.assert(
        fc.property(hashLike, (hash) => {
          let uri: string;
          try {
            uri = buildMagnet(hash, {});
          } catch (err) {
            expect(err).toBeInstanceOf(DomainError);
            expect((err as DomainError).code).toBe('INVALID_INPUT');
            expect(normalizeInfoHash(hash)).toBeUndefined();
            return;
          }
          expect(uri).toBe(`magnet:?xt=urn:btih:${normalizeInfoHash(hash)}`);
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'round-trips hash, name and trackers through parseMagnet, whatever the (well-formed) text',
    async () => {
      const text = fc.string({ unit: 'grapheme', maxLength: 30 });
      await fc.assert(
        fc.asyncProperty(
          hashBytes,
          fc.option(text),
          fc.array(text, { maxLength: 5 }),
          async (bytes, name, trackers) => {
            const hash = Buffer.from(bytes).toString('hex');
            const uri = buildMagnet(base32(bytes), { ...(name === null ? {} : { name }), trackers });
            const parsed = await parseMagnet(uri);
            expect(parsed.infoHash).toBe(hash);
            const expectedName = name?.trim();
            if (expectedName) expect(parsed.name).toBe(expectedName);
            else expect(parsed.name).toBeUndefined();
            expect(parsed.trackers).toEqual([...new Set(trackers.map((t) => t.trim()).filter((t) => t !== ''))]);
          },
        ),
        params(),
      );
    },
    timeout,
  );
});

// ---------------------------------------------------------------- parseMagnet / parseTorrentInput

describe('parseMagnet / parseTorrentInput (fuzz)', () => {
  it(
    'parseMagnet of magnet-like garbage resolves to its own xt hash or rejects with INVALID_INPUT',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(magnetLike, anyString), async (uri) => {
          const parsed = await resultOrDomainError(() => parseMagnet(uri));
          if (!parsed) return;
          assertValidParsed(parsed);
          expect(parsed.magnetUri).toBeDefined();
          expect(uri.trim().toLowerCase().startsWith('magnet:?')).toBe(true);
          // The hash is one the link names, and the engine will read the same one from magnetUri.
          // (Parameters with exactly one "=", as magnet-uri and so the engine read them.)
          const named = parsed
            .magnetUri!.slice('magnet:?'.length)
            .split('&')
            .map((p) => p.split('='))
            .filter((kv) => kv.length === 2 && kv[0] === 'xt' && kv[1]!.startsWith('urn:btih:'))
            .map((kv) => normalizeInfoHash(kv[1]!.slice('urn:btih:'.length)));
          expect(named).toContain(parsed.infoHash);
          expect(new Set(named)).toEqual(new Set([parsed.infoHash]));
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'parseTorrentInput of any body resolves to a valid input or rejects with INVALID_INPUT (never another error)',
    async () => {
      await fc.assert(
        fc.asyncProperty(bodyArb, async (body) => {
          const result = await resultOrDomainError(() => parseTorrentInput(body));
          if (!result) return;
          const fields = (body ?? {}) as Record<string, unknown>;
          const given = (name: string) => typeof fields[name] === 'string' && (fields[name] as string).trim() !== '';
          if ('torrentUrl' in result) {
            expect(Object.keys(result)).toEqual(['torrentUrl']);
            expect(given('torrentUrl')).toBe(true);
            expect(given('magnetUri') || given('infoHash')).toBe(false);
            expect(['http:', 'https:']).toContain(new URL(result.torrentUrl).protocol);
            return;
          }
          assertValidParsed(result);
          expect(given('torrentUrl')).toBe(false);
          expect(given('magnetUri') || given('infoHash')).toBe(true);
          // An explicit infoHash is the answer's hash; a magnet given alongside must agree with it.
          if (given('infoHash')) expect(result.infoHash).toBe(normalizeInfoHash(fields.infoHash as string));
          if (given('magnetUri')) {
            const bare = normalizeInfoHash(fields.magnetUri as string);
            if (bare) expect(result.infoHash).toBe(bare);
            else expect(result.magnetUri).toBeDefined();
          }
        }),
        params(),
      );
    },
    timeout,
  );
});

// ---------------------------------------------------------------- parseTorrentFile

/** Segments that try to leave the folder, or to look like they don't. */
const hostileSegment: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .constantFrom(
      '..',
      '.',
      '',
      '/',
      '/etc/passwd',
      '../x',
      'a/../../b',
      '..\\..\\evil.exe',
      'a\\b',
      '\\',
      'a\0b',
      '\0',
      '.. ',
      ' ..',
      '...',
      '..hidden',
      'a..b',
      '%2e%2e',
      '%2e%2e%2f',
      '..%2f',
      '\u2025', // two dot leader
      '\uff0e\uff0e', // fullwidth full stops
      'C:',
      'C:\\Windows',
      'CON',
      'nul.txt',
      '.:.',
      '\ufeff..',
      'a'.repeat(300),
      '\u202eevil.exe',
    )
    .map((s) => Buffer.from(s, 'utf8')),
  // Bytes that are not UTF-8, including overlong encodings of "." and "/".
  fc
    .constantFrom([0xc0, 0xae, 0xc0, 0xae], [0xc0, 0xaf], [0xe0, 0x80, 0xae], [0xff, 0xfe], [0x2e, 0x2e, 0x00])
    .map((b) => Buffer.from(b)),
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
);

const plainSegment: fc.Arbitrary<Buffer> = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 16 })
  .filter((s) => !['.', '..'].includes(s) && !/[/\\\0]/.test(s))
  .map((s) => Buffer.from(s, 'utf8'));

const segmentArb = fc.oneof({ weight: 3, arbitrary: plainSegment }, { weight: 2, arbitrary: hostileSegment });
const pathArb = fc.oneof(
  { weight: 6, arbitrary: fc.array(segmentArb, { minLength: 1, maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constant([] as Buffer[]) },
);
const lengthArb = fc.oneof(
  { weight: 8, arbitrary: fc.nat({ max: 1 << 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, -(2 ** 40), 2 ** 53, 2 ** 60) },
);

/** The text a torrent client reads for a segment (UTF-8, invalid bytes replaced, BOM dropped). */
const segmentText = (segment: Buffer) => new TextDecoder().decode(segment);
// What the disk store makes of a name (fs-chunk-store strips <>:"|?* and control characters) counts too.
const unsafeText = (s: string) => {
  if (/[/\\\0]/.test(s)) return true;
  const stored = s.replace(/[<>:"|?*\u0000-\u001f]/g, '');
  return stored === '' || stored === '.' || stored === '..';
};

/**
 * What parseTorrentFile must answer for an info dictionary of the shape we build: the files (name
 * first, '.utf-8' variants preferred), or 'reject' when any variant of any name is unsafe or a length
 * is not a file length. Written from BEP 3 and the documented rules, not from the implementation.
 */
function expectedFiles(info: Record<string, Decoded>): { path: string; length: number }[] | 'reject' {
  const variants = (utf8: Decoded | undefined, plain: Decoded | undefined) =>
    [utf8, plain].filter((v): v is Decoded => v !== undefined);
  const nameVariants = variants(info['name.utf-8'], info.name) as Buffer[];
  if (nameVariants.some((n) => unsafeText(segmentText(n)))) return 'reject';
  const name = segmentText(nameVariants[0]!);
  const lengthOk = (n: Decoded | undefined) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (info.files === undefined)
    return lengthOk(info.length) ? [{ path: name, length: info.length as number }] : 'reject';
  const files = info.files as Array<Record<string, Buffer[] | number>>;
  if (files.length === 0) return 'reject';
  const out: { path: string; length: number }[] = [];
  for (const file of files) {
    const pathVariants = variants(file['path.utf-8'], file.path) as Buffer[][];
    if (pathVariants.some((p) => p.length === 0 || p.some((s) => unsafeText(segmentText(s))))) return 'reject';
    if (!lengthOk(file.length)) return 'reject';
    out.push({ path: [name, ...pathVariants[0]!.map(segmentText)].join('/'), length: file.length as number });
  }
  return out;
}

type Injection = { slot: number; at: number; replace: boolean; segment: Buffer };
const injectionOf = (segment: fc.Arbitrary<Buffer>): fc.Arbitrary<Injection> =>
  fc.record({ slot: fc.nat(), at: fc.nat(), replace: fc.boolean(), segment });

type Tamper = {
  name?: Buffer;
  nameUtf8?: Buffer;
  files: Array<{ path: Buffer[]; pathUtf8?: Buffer[]; length: number }>;
};

const cleanPathArb = fc.oneof(
  { weight: 12, arbitrary: fc.array(plainSegment, { minLength: 1, maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constant([] as Buffer[]) },
);

/**
 * New names and file lists for a real torrent: clean ones, mostly with one hostile segment put in
 * (or replacing) a random place of a name or path, sometimes several anywhere.
 */
const tamperArb: fc.Arbitrary<Tamper> = fc
  .record({
    base: fc.record(
      {
        name: plainSegment,
        nameUtf8: plainSegment,
        files: fc.array(
          fc.record(
            { path: cleanPathArb, pathUtf8: cleanPathArb, length: lengthArb },
            { requiredKeys: ['path', 'length'] },
          ),
          { minLength: 0, maxLength: 4 },
        ),
      },
      { requiredKeys: ['files'] },
    ),
    injections: fc.oneof(
      { weight: 1, arbitrary: fc.constant<Injection[]>([]) },
      { weight: 3, arbitrary: injectionOf(hostileSegment).map((i) => [i]) },
      { weight: 1, arbitrary: fc.array(injectionOf(segmentArb), { maxLength: 6 }) },
    ),
  })
  .map(({ base, injections }) => {
    const tamper: Tamper = {
      ...base,
      files: base.files.map((f) => ({ ...f, path: [...f.path], ...(f.pathUtf8 ? { pathUtf8: [...f.pathUtf8] } : {}) })),
    };
    for (const { slot, at, replace, segment } of injections) {
      const paths = tamper.files.flatMap((f) => (f.pathUtf8 ? [f.path, f.pathUtf8] : [f.path]));
      const index = slot % (paths.length + 2);
      if (index === 0) tamper.name = segment;
      else if (index === 1) tamper.nameUtf8 = segment;
      else {
        const list = paths[index - 2]!;
        list.splice(at % (list.length + 1), replace ? 1 : 0, segment);
      }
    }
    return tamper;
  });

/** A plausible torrent from scratch: random bencode where a .torrent has structure, junk elsewhere. */
const bencodeValue: fc.Arbitrary<Bencoded> = fc.letrec<{
  value: Bencoded;
  list: Bencoded[];
  dict: Record<string, Bencoded>;
}>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
    fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
    fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b)),
    segmentArb,
    tie('list'),
    tie('dict'),
  ),
  list: fc.array(tie('value'), { maxLength: 4 }),
  dict: fc.dictionary(
    fc.oneof(
      fc.constantFrom('name', 'name.utf-8', 'length', 'files', 'path', 'path.utf-8', 'piece length', 'pieces', 'info'),
      fc.string({ maxLength: 6 }),
    ),
    tie('value'),
    { maxKeys: 5, noNullPrototype: true },
  ),
})).value;

/** Mostly plausible (so parsing gets far), sometimes with junk in any field. */
const plausible = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: good as fc.Arbitrary<Bencoded> }, { weight: 1, arbitrary: bencodeValue });

const infoDictArb: fc.Arbitrary<Record<string, Bencoded>> = fc
  .record(
    {
      name: plausible(segmentArb),
      'name.utf-8': plausible(segmentArb),
      'piece length': plausible(fc.constantFrom(16384, 262144)),
      pieces: plausible(fc.uint8Array({ minLength: 20, maxLength: 60 }).map((b) => Buffer.from(b))),
      length: plausible(lengthArb),
      files: plausible(
        fc.array(fc.record({ path: plausible(pathArb), length: plausible(lengthArb) }), { minLength: 1, maxLength: 4 }),
      ),
      private: bencodeValue,
    },
    { requiredKeys: ['name', 'piece length', 'pieces'] },
  )
  .map((info) => info as Record<string, Bencoded>);

const trackerUrl = fc.oneof(fc.webUrl(), fc.constantFrom('udp://t:1', '', 'wss://x')).map((u) => Buffer.from(u));

const torrentBytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([Buffer.from('d'), b])) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('d', 'de', 'd4:infoe', 'd4:infod4:name1:ae', 'd4:infoi1ee', 'd4:infoi99999999999999999999999ee')
      .map((s) => Buffer.from(s)),
  },
  // deep nesting: a recursive decoder must fail cleanly, not overflow the stack of the process
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 100_000 })
      .map((depth) => Buffer.from(`d4:info${'l'.repeat(depth)}${'e'.repeat(depth)}e`)),
  },
  { weight: 1, arbitrary: bencodeValue.map((v) => bencode(v)) },
  {
    weight: 5,
    arbitrary: fc
      .record(
        {
          announce: plausible(trackerUrl),
          'announce-list': plausible(fc.array(fc.array(trackerUrl, { maxLength: 3 }), { maxLength: 3 })),
          info: plausible(infoDictArb),
        },
        { requiredKeys: ['info'] },
      )
      .map((t) => bencode(t)),
  },
);

describe('bugs this fuzzer found, fixed', () => {
  const info = (name: string) => ({ name, 'piece length': 16384, pieces: Buffer.alloc(20), length: 1 });
  it('a torrent named "...And Justice for All" is inside its folder (isInside says it is not)', async () => {
    const parsed = await parseTorrentFile(bencode({ info: info('...And Justice for All') }));
    const torrentDir = path.join(DOWNLOAD_DIR, parsed.infoHash);
    expect(isInside(torrentDir, onDiskPath(torrentDir, parsed.files![0]!.path))).toBe(true);
  });
  it('"pieces" that is not a byte string (li-1ee) is refused, not read as ["undefined"]', async () => {
    const data = Buffer.from('d4:infod6:lengthi0e4:name1:a12:piece lengthi16384e6:piecesli-1eeee');
    const parsed = await parseTorrentFile(data).catch(() => undefined);
    expect(parsed?.pieces ?? []).not.toContain('undefined');
  });
  it('a file name that storage rewrites to ".." (".:.") is refused by parseTorrentFile', async () => {
    const data = bencode({
      info: { name: 'Pack', 'piece length': 16384, pieces: Buffer.alloc(20), files: [{ length: 1, path: ['.:.'] }] },
    });
    await expect(parseTorrentFile(data)).rejects.toBeInstanceOf(DomainError);
  });
});

describe('parseTorrentFile (fuzz)', () => {
  /** Real torrents from create-torrent: single-file, multi-file and nested. */
  let realTorrents: Buffer[] = [];

  beforeAll(async () => {
    // @ts-expect-error create-torrent ships no types
    const { default: createTorrent } = await import('create-torrent');
    const make = (input: Buffer | Buffer[], name: string) =>
      new Promise<Buffer>((resolve, reject) =>
        (createTorrent as (i: unknown, o: unknown, cb: (e: Error | null, t: Buffer) => void) => void)(
          input,
          { name, announceList: [['http://127.0.0.1:1/announce']], pieceLength: 16384 },
          (err, torrent) => (err ? reject(err) : resolve(torrent)),
        ),
      );
    const file = (fullPath: string, size: number) =>
      Object.assign(Buffer.alloc(size, fullPath), { name: path.posix.basename(fullPath), fullPath });
    realTorrents = [
      await make(file('movie.mkv', 40_000), 'movie.mkv'),
      await make([file('Pack/a.mkv', 20_000), file('Pack/b.srt', 300)], 'Pack'),
      await make(
        [file('Show/S01/E01.mkv', 17_000), file('Show/S01/E02.mkv', 17_000), file('Show/extras/x.nfo', 10)],
        'Show',
      ),
    ];
  });

  it(
    'arbitrary bytes and bencode either reject with INVALID_INPUT/UNSAFE_PATH or yield safe files',
    async () => {
      await fc.assert(
        fc.asyncProperty(torrentBytesArb, async (data) => {
          const parsed = await resultOrDomainError(() => parseTorrentFile(data), REJECT_CODES);
          if (!parsed) return;
          assertValidParsed(parsed);
          assertSafeFiles(parsed);
          assertOnDiskInside(parsed);
          expect(parsed.torrentFile).toBe(data);
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'byte-level mutations of real torrents (flips, truncation, splices) never crash and never yield unsafe paths',
    async () => {
      const mutation = fc.record({
        which: fc.nat(),
        flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        cut: fc.option(fc.nat()),
        splice: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 16 }))),
      });
      await fc.assert(
        fc.asyncProperty(mutation, async ({ which, flips, cut, splice }) => {
          let data = Buffer.from(realTorrents[which % realTorrents.length]!);
          for (const [at, byte] of flips) data[at % data.length] = byte;
          if (splice) {
            const at = splice[0] % data.length;
            data = Buffer.concat([data.subarray(0, at), Buffer.from(splice[1]), data.subarray(at)]);
          }
          if (cut !== null) data = data.subarray(0, cut % (data.length + 1));
          const parsed = await resultOrDomainError(() => parseTorrentFile(data), REJECT_CODES);
          if (parsed) {
            assertValidParsed(parsed);
            assertSafeFiles(parsed);
            assertOnDiskInside(parsed);
          }
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'real torrents whose names and paths are tampered with (.., absolute, backslashes, NUL, empty segments) are rejected exactly when unsafe',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), tamperArb, async (which, tamper) => {
          const torrent = bdecode(realTorrents[which % realTorrents.length]!) as Record<string, Decoded>;
          const info = { ...(torrent.info as Record<string, Decoded>) };
          if (tamper.name) info.name = tamper.name;
          if (tamper.nameUtf8) info['name.utf-8'] = tamper.nameUtf8;
          if (tamper.files.length > 0 || info.files !== undefined) {
            delete info.length;
            info.files = tamper.files.map((f) => ({
              path: f.path,
              length: f.length,
              ...(f.pathUtf8 ? { 'path.utf-8': f.pathUtf8 } : {}),
            }));
          }
          const data = bencode({ ...torrent, info } as Bencoded);
          const expected = expectedFiles(info);

          const parsed = await resultOrDomainError(() => parseTorrentFile(data), REJECT_CODES);
          if (expected === 'reject') {
            expect(parsed).toBeUndefined();
            return;
          }
          expect(parsed).toBeDefined();
          assertValidParsed(parsed!);
          assertSafeFiles(parsed!);
          assertOnDiskInside(parsed!);
          expect(parsed!.files).toEqual(expected);
          // The info hash is the SHA-1 of the info dictionary exactly as it was sent.
          expect(parsed!.infoHash).toBe(
            createHash('sha1')
              .update(bencode(info as Bencoded))
              .digest('hex'),
          );
        }),
        params(),
      );
    },
    timeout,
  );

  it(
    'torrents made by create-torrent from hostile file names are rejected exactly when unsafe',
    async () => {
      // @ts-expect-error create-torrent ships no types
      const { default: createTorrent } = await import('create-torrent');
      const nameText = fc.oneof(
        segmentArb.map((b) => segmentText(b)),
        fc
          .array(
            segmentArb.map((b) => segmentText(b)),
            { minLength: 1, maxLength: 4 },
          )
          .map((s) => s.join('/')),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(nameText, { minLength: 1, maxLength: 3 }),
          fc.option(segmentArb.map((b) => segmentText(b))),
          async (fullPaths, torrentName) => {
            const files = fullPaths.map((fullPath, i) =>
              Object.assign(Buffer.alloc(10 + i, 'x'), { name: path.posix.basename(fullPath) || 'f', fullPath }),
            );
            let data: Buffer;
            try {
              data = await new Promise<Buffer>((resolve, reject) =>
                (createTorrent as (i: unknown, o: unknown, cb: (e: Error | null, t: Buffer) => void) => void)(
                  files,
                  { ...(torrentName ? { name: torrentName } : {}), pieceLength: 16384, filterJunkFiles: false },
                  (err, t) => (err ? reject(err) : resolve(t)),
                ),
              );
            } catch {
              return; // create-torrent refused these names itself: nothing to parse
            }
            const info = (bdecode(data) as Record<string, Decoded>).info as Record<string, Decoded>;
            const expected = expectedFiles(info);
            const parsed = await resultOrDomainError(() => parseTorrentFile(data), REJECT_CODES);
            if (expected === 'reject') {
              expect(parsed).toBeUndefined();
              return;
            }
            expect(parsed).toBeDefined();
            assertSafeFiles(parsed!);
            assertOnDiskInside(parsed!);
            expect(parsed!.files).toEqual(expected);
          },
        ),
        params(Math.ceil(RUNS / 3)),
      );
    },
    timeout,
  );
});
