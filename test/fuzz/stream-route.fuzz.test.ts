import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parseRange, type ByteRange } from '../../src/domain/range.js';
import { json, waitFor } from '../fixtures/http.js';
import { rawRequest, type RawHttpResponse } from '../fixtures/raw-http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';

// The stream routes over real HTTP, with hostile request targets and Range/If-Range headers: no
// 5xx but the documented gateway answers, no crash, nothing read or written outside DOWNLOAD_DIR.
// Requests go over raw TCP (fixtures/raw-http.ts) so the path reaches the server byte for byte.
// FUZZ_RUNS / FUZZ_SEED: see runs.ts.

const RUNS = 300;
const REAL_FILE_RUNS = 60;
/** The only 5xx a stream route may answer, with the codes that may go with each (error.middleware.ts). */
const GATEWAY_CODES: Record<number, string[]> = {
  502: ['TORRENT_FAILED', 'UPSTREAM_ERROR'],
  503: ['ENGINE_UNAVAILABLE'],
  504: ['METADATA_TIMEOUT', 'STREAM_STALLED'],
};
/** Every ErrorCode of src/domain/errors.ts: a JSON error must carry one of them. */
const DOCUMENTED_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'FILE_NOT_FOUND',
  'METADATA_TIMEOUT',
  'STREAM_STALLED',
  'TORRENT_FAILED',
  'RANGE_NOT_SATISFIABLE',
  'INSUFFICIENT_STORAGE',
  'UNSAFE_PATH',
  'UPSTREAM_ERROR',
  'URL_NOT_ALLOWED',
  'ENGINE_UNAVAILABLE',
  'TOO_MANY_TORRENTS',
  'RATE_LIMITED',
  'FORBIDDEN',
  'CONFLICT',
  'UNAUTHORIZED',
];

/** Files the server itself keeps next to the cache database (compose-cache.ts, compose-features.ts). */
const STORE_FILES =
  /^(cache\.db(-wal|-shm|-journal)?|cache-index\.json|imdb-links\.json(\.tmp)?|users?\.(db|json)(-wal|-shm|-journal)?)$/;

/** Valid-looking hashes nobody seeds: the only ones the fuzzer may start (each fails fast, once). */
const UNKNOWN_HASHES = [0, 1, 2].map((i) => createHash('sha1').update(`tss fuzz unknown ${i}`).digest());

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += B32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

// ---------------------------------------------------------------- arbitraries

/** Spellings of a hash the server must read as that hash (hex, upper, base32, percent-encoded, padded). */
const spellings = (hash: Buffer): fc.Arbitrary<string> => {
  const hex = hash.toString('hex');
  return fc.constantFrom(
    hex,
    hex.toUpperCase(),
    base32(hash),
    base32(hash).toLowerCase(),
    [...hex].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(''),
    `%20${hex}%20`,
    `${hex}%0A`,
  );
};

const printable = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 30,
});
/** Raw bytes >= 0x80 in the request target (sent as latin1, so invalid UTF-8 on the wire). */
const highBytes = fc.string({
  unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 12,
});

/** One path segment: traversal in every disguise, broken percent-encoding, NUL, long and unicode text. */
const garbageSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '',
    '%2e%2e',
    '%2E%2E',
    '.%2e',
    '%2e%2e%2f',
    '..%2f..%2f..%2fetc%2fpasswd',
    '..%5c..%5cwindows',
    '%2f',
    '%5c',
    '%00',
    'a%00b',
    '%',
    '%%',
    '%zz',
    '%E0%A4%A',
    '%ED%A0%80', // an encoded lone surrogate: not valid UTF-8
    '%C0%AE%C0%AE', // overlong "..": not valid UTF-8
    '%FF',
    '%uD800',
    '~',
    ';',
    '*',
    'a;b=c',
    '0',
    '1',
    '999999999',
    '1000000000',
    '9007199254740993',
    '-1',
    '1e3',
    '0x1',
    '00',
    ' 1',
    '%201',
    '1.vtt',
    'all',
    'all.m3u',
    '__proto__',
    'constructor',
    'x.svg',
    'movie.mkv',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 10 }).map((s) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return s.replace(/[^\x21-\x7e]/g, '%FF'); // a lone surrogate cannot be encoded: send junk instead
    }
  }),
  printable.map((s) => s.replace(/[/?#]/g, '')),
  highBytes,
  fc
    .constantFrom('a', '%41', '../', '%2e%2e%2f', '\u00e9')
    .chain((unit) => fc.integer({ min: 100, max: 4000 }).map((n) => unit.repeat(n))),
);

/** Where an info hash goes: an unknown hash in some spelling, or garbage. */
const hashSegment = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_HASHES).chain(spellings) },
  { weight: 3, arbitrary: garbageSegment },
);
const indexSegment = fc.oneof(
  { weight: 1, arbitrary: fc.nat({ max: 5 }).map(String) },
  { weight: 2, arbitrary: garbageSegment },
);
const withSuffix = (seg: fc.Arbitrary<string>, suffix: string) =>
  fc
    .tuple(seg, fc.constantFrom(suffix, suffix, suffix, '', suffix.toUpperCase(), `${suffix}%00`, `${suffix}/`))
    .map(([s, x]) => `${s}${x}`);

const queryArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.constantFrom('fileIndex', 'download', 'fileIndex[]', 'fileIndex[a]', '__proto__', 'token', 'x'),
          fc.oneof(indexSegment, fc.constantFrom('true', 'yes', '1', '')),
        ),
        { minLength: 1, maxLength: 3 },
      )
      .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
  },
  { weight: 1, arbitrary: printable.map((s) => `?${s}`) },
);

/** A request target on one of the stream-ish routes. */
const targetArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      fc.tuple(hashSegment).map(([h]) => `/stream/proxy/${h}`),
      fc.tuple(hashSegment, indexSegment, garbageSegment).map(([h, i, n]) => `/stream/${h}/${i}/${n}`),
      fc.tuple(hashSegment, indexSegment).map(([h, i]) => `/stream/file/${h}/${i}`),
      fc.tuple(hashSegment).map(([h]) => `/stream/info/${h}`),
      fc.tuple(hashSegment, withSuffix(indexSegment, '.vtt')).map(([h, i]) => `/subtitles/${h}/${i}`),
      withSuffix(hashSegment, '.m3u').map((h) => `/playlist/${h}`),
      fc.tuple(hashSegment, withSuffix(indexSegment, '.strm')).map(([h, i]) => `/strm/${h}/${i}`),
      withSuffix(hashSegment, '.svg').map((h) => `/poster/${h}`),
      // more (or fewer) segments than any route has
      fc.array(fc.oneof(garbageSegment, hashSegment), { maxLength: 6 }).map((segs) => `/stream/${segs.join('/')}`),
      fc
        .tuple(fc.constantFrom('stream', 'stream/proxy', 'subtitles', 'playlist', 'strm', 'poster'), garbageSegment)
        .map(([base, seg]) => `/${base}//${seg}`),
    ),
    queryArb,
  )
  .map(([p, q]) => `${p}${q}`);

/** Header values a client can send (no CR/LF: those would end the header, not fuzz it). */
const headerText = fc.string({
  unit: fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.constantFrom('\t', '\u00e9', '\u00ff') },
  ),
  maxLength: 60,
});
const rangeHeader = fc.oneof(
  fc
    .array(
      fc.oneof(
        fc.tuple(fc.nat({ max: 2000 }), fc.nat({ max: 2000 })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        fc.nat({ max: 5000 }).map((n) => `${n}-`),
        fc.nat({ max: 5000 }).map((n) => `-${n}`),
        fc.bigInt({ min: 0n, max: 10n ** 25n }).map((n) => `${n}-`),
        fc.constantFrom('-', '5-1', '--1', '0-1-2', '', ' '),
      ),
      { minLength: 1, maxLength: 20 },
    )
    .chain((specs) => fc.constantFrom('bytes', 'BYTES', 'items', 'bytes ').map((u) => `${u}=${specs.join(',')}`)),
  headerText,
);
const ifRangeHeader = fc.oneof(
  headerText,
  fc.constantFrom('"x"', 'W/"x"', 'Sun, 06 Nov 1994 08:49:37 GMT', 'Sunday, 06-Nov-94 08:49:37 GMT', '*'),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
);

const requestArb = fc.record({
  method: fc.constantFrom('GET', 'GET', 'GET', 'GET', 'HEAD', 'OPTIONS', 'DELETE'),
  target: targetArb,
  range: fc.option(rangeHeader, { freq: 2 }),
  ifRange: fc.option(ifRangeHeader, { freq: 3 }),
  extra: fc.option(
    fc.constantFrom<[string, string]>(
      ['If-None-Match', '*'],
      ['If-None-Match', '"x", W/"y"'],
      ['If-Modified-Since', 'Sun, 06 Nov 1994 08:49:37 GMT'],
      ['If-Modified-Since', 'garbage'],
      ['Accept', 'text/html'],
      ['Authorization', 'Bearer x'],
      ['Cookie', 'tss_token=%zz'],
      ['Origin', 'http://evil.example'],
    ),
    { freq: 3 },
  ),
});

type FuzzRequest = {
  method: string;
  target: string;
  range: string | null;
  ifRange: string | null;
  extra: [string, string] | null;
};

function headersOf(r: FuzzRequest): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  if (r.range !== null) headers.push(['Range', r.range]);
  if (r.ifRange !== null) headers.push(['If-Range', r.ifRange]);
  if (r.extra) headers.push(r.extra);
  return headers;
}

/** The core property of every answer: a client error, a success, or a documented gateway error. Never a crash. */
function assertNoServerError(res: RawHttpResponse, r: FuzzRequest): void {
  const where = `${r.method} ${r.target.slice(0, 300)} (Range: ${r.range}, If-Range: ${r.ifRange})`;
  const answer = `${res.status} ${res.body.toString('utf8', 0, 300)}`;
  let code: string | undefined;
  if (/application\/json/.test(res.headers['content-type'] ?? '') && res.body.length > 0) {
    const body = JSON.parse(res.body.toString('utf8')) as { success?: boolean; error?: { code?: string } };
    code = body.error?.code;
  }
  // Any JSON error body names a documented code (INTERNAL is not one a client should ever see).
  if (res.status >= 400 && /application\/json/.test(res.headers['content-type'] ?? '') && res.body.length > 0)
    expect({ where, answer, documented: DOCUMENTED_CODES.includes(code ?? '') }).toEqual({
      where,
      answer,
      documented: true,
    });
  if (res.status < 500) return;
  // 5xx: only the gateway statuses, each with a JSON body naming one of its codes (HEAD has no body to read).
  const allowed = GATEWAY_CODES[res.status];
  const ok = allowed !== undefined && (r.method === 'HEAD' || allowed.includes(code ?? ''));
  expect({ where, answer, ok }).toEqual({ where, answer, ok: true });
}

/** Every file below `dir`, as paths relative to it. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(rel + path.sep, ...(await walk(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

// ---------------------------------------------------------------- unknown torrents, hostile paths

describe('stream routes over real HTTP (fuzz)', () => {
  let server: TestServer;
  let port: number;
  let root: string;
  let dataDir: string;
  const SECRET = `tss-fuzz-secret-${randomBytes(8).toString('hex')}`;
  const crashes: unknown[] = [];
  let before: string[] = [];
  /** How often each status was answered: the run must have reached the torrent code, not only 404s. */
  const statuses = new Map<number, number>();
  const onCrash = (err: unknown) => crashes.push(err);

  beforeAll(async () => {
    // The data folder sits four levels below a folder of our own, next to files that must never be
    // served or touched: a traversal of up to five ".." still lands somewhere we look.
    root = await mkdtemp(path.join(os.tmpdir(), 'tss-fuzz-'));
    dataDir = path.join(root, 'a', 'b', 'c', 'data');
    await mkdir(dataDir, { recursive: true });
    for (const dir of [root, path.join(root, 'a'), path.join(root, 'a', 'b', 'c')])
      await writeFile(path.join(dir, 'secret.txt'), SECRET);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    server = await startTestServer(
      { TORRENT_TIMEOUT: '200', TORRENT_MAX_RETRIES: '0', RATE_LIMIT_API: '0' },
      { dataDir },
    );
    port = Number(new URL(server.url).port);
    before = await walk(root);
  });

  afterAll(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    await server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it(
    'arbitrary paths, Range and If-Range headers: no 5xx but documented gateway errors, no secret ever served',
    async () => {
      await fc.assert(
        fc.asyncProperty(requestArb, async (r) => {
          const res = await rawRequest(port, r.method, r.target, headersOf(r));
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assertNoServerError(res, r);
          expect(res.body.includes(SECRET)).toBe(false);
        }),
        fuzzParameters(RUNS),
      );
    },
    fuzzTimeout(RUNS, 15),
  );

  it('found by this fuzzer, fixed: malformed percent-encoding in a path parameter answers 400, not 500 INTERNAL', async () => {
    // Passes while the bug exists (the expectations fail); once fixed, remove this and the exemption above.
    for (const target of ['/stream/proxy/%ZZ', '/strm/%E0%A4%A/0.strm', '/poster/%ED%A0%80.svg']) {
      const res = await rawRequest(port, 'GET', target);
      expect({ target, status: res.status }).toEqual({ target, status: 400 });
    }
  });

  it('stays up, started only the unknown hashes it was given, and wrote nothing outside DOWNLOAD_DIR', async () => {
    const health = await rawRequest(port, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(crashes).toEqual([]);
    if (process.env.FUZZ_STATS === '1')
      console.log({ statuses: Object.fromEntries(statuses), started: server.torrents.list().length });
    // The generator reached past validation: bad input (400), unknown torrents (404) and the gateway
    // answers of a torrent that was started and found no peers (502/504).
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(404)).toBeGreaterThan(0);
    expect((statuses.get(502) ?? 0) + (statuses.get(504) ?? 0)).toBeGreaterThan(0);

    // Only the fuzzer's unknown hashes may have been started (anything else means a garbage
    // segment was taken for a hash, or a request escaped its route).
    const started = server.torrents.list().map((t) => t.infoHash);
    for (const hash of started) expect(UNKNOWN_HASHES.map((h) => h.toString('hex'))).toContain(hash);

    const after = await walk(root);
    const inData = path.relative(root, dataDir) + path.sep;
    const downloads = path.join(inData, 'downloads') + path.sep;
    // Outside the data folder: exactly what was there before the server started, secrets untouched.
    expect(after.filter((rel) => !rel.startsWith(inData))).toEqual(before.filter((rel) => !rel.startsWith(inData)));
    for (const secret of before.filter((rel) => rel.endsWith('secret.txt')))
      expect(await readFile(path.join(root, secret), 'utf8')).toBe(SECRET);
    // In the data folder but outside DOWNLOAD_DIR: what start-up made, or the server's own stores.
    const outsideDownloads = after.filter(
      (rel) => rel.startsWith(inData) && rel !== inData && !rel.startsWith(downloads) && !before.includes(rel),
    );
    expect(
      outsideDownloads.filter(
        (rel) => !STORE_FILES.test(rel.slice(inData.length)) && rel !== path.join(inData, 'downloads') + path.sep,
      ),
    ).toEqual([]);
    // In DOWNLOAD_DIR: only folders (and saved .torrent files) of torrents that were started.
    for (const rel of after.filter((r) => r.startsWith(downloads) && r !== downloads)) {
      const [top, next] = rel.slice(downloads.length).split(path.sep);
      if (top === '.torrents') {
        if (next) expect(started.map((h) => `${h}.torrent`)).toContain(next);
      } else expect(started).toContain(top);
    }
  });
});

// ---------------------------------------------------------------- a real, finished file

describe('Range fuzzing against a real cached file (fuzz)', () => {
  let swarm: Swarm;
  let server: TestServer;
  let port: number;
  /** ETag and Last-Modified of each file, as the server sends them. */
  const validators: Array<{ etag: string; lastModified: string }> = [];
  const VIDEO = randomBytes(300_000);
  const SUBS = Buffer.from('1\r\n00:00:01,000 --> 00:00:02,000\r\nfuzz\r\n');
  /** [0] the video (the default file), [1] the subtitle; `torrentIndex` is read back from the server. */
  const FILES = [
    { path: 'clip.mp4', data: VIDEO, torrentIndex: -1 },
    { path: 'Subs/en.srt', data: SUBS, torrentIndex: -1 },
  ];

  beforeAll(async () => {
    swarm = await startSwarm({
      name: 'Fuzz Pack',
      files: FILES.map(({ path: p, data }) => ({ path: p, data })),
      pieceLength: 16384,
    });
    server = await startTestServer({ TORRENT_TRACKERS: swarm.trackerUrl, RATE_LIMIT_API: '0' });
    port = Number(new URL(server.url).port);
    const added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
    expect(added.status).toBe(201);
    // The torrent orders its files itself (the list is in index order): find each fixture file by path.
    const listed = added.body.data.files as Array<{ path: string }>;
    for (const file of FILES) {
      file.torrentIndex = listed.findIndex((f) => f.path === `${swarm.name}/${file.path}`);
      expect(file.torrentIndex).toBeGreaterThanOrEqual(0);
    }
    await waitFor(
      async () => (await json(`${server.url}/api/torrents/${swarm.infoHash}`)).body.data.status === 'complete',
      30_000,
      'the fixture torrent to complete',
    );
    for (const index of [0, 1]) {
      const head = await rawRequest(
        port,
        'HEAD',
        `/stream/proxy/${swarm.infoHash}?fileIndex=${FILES[index]!.torrentIndex}`,
      );
      expect(head.status).toBe(200);
      expect(Number(head.headers['content-length'])).toBe(FILES[index]!.data.length);
      expect(head.headers.etag).toMatch(/^"/);
      validators.push({ etag: head.headers.etag!, lastModified: head.headers['last-modified']! });
    }
  });

  afterAll(async () => {
    await server?.stop();
    await swarm?.stop();
  });

  /** The byte ranges of a 206 answer, checked against the file (single part or multipart/byteranges). */
  function partsOf(res: RawHttpResponse, size: number): Array<{ range: ByteRange; body: Buffer }> {
    const type = res.headers['content-type'] ?? '';
    const boundary = /^multipart\/byteranges; boundary=(.+)$/.exec(type)?.[1];
    if (!boundary) {
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers['content-range'] ?? '');
      expect(m).not.toBeNull();
      expect(Number(m![3])).toBe(size);
      return [{ range: { start: Number(m![1]), end: Number(m![2]) }, body: res.body }];
    }
    const parts: Array<{ range: ByteRange; body: Buffer }> = [];
    const delimiter = Buffer.from(`\r\n--${boundary}`);
    let pos = res.body.indexOf(delimiter);
    expect(pos).toBe(0);
    for (;;) {
      const afterDelimiter = pos + delimiter.length;
      if (res.body.toString('latin1', afterDelimiter, afterDelimiter + 2) === '--') break;
      const headEnd = res.body.indexOf('\r\n\r\n', afterDelimiter);
      const head = res.body.toString('latin1', afterDelimiter, headEnd);
      const m = /Content-Range: bytes (\d+)-(\d+)\/(\d+)/.exec(head);
      expect(m).not.toBeNull();
      expect(Number(m![3])).toBe(size);
      const range = { start: Number(m![1]), end: Number(m![2]) };
      const bodyStart = headEnd + 4;
      const bodyEnd = bodyStart + range.end - range.start + 1;
      parts.push({ range, body: res.body.subarray(bodyStart, bodyEnd) });
      pos = bodyEnd;
      expect(res.body.subarray(pos, pos + delimiter.length).equals(delimiter)).toBe(true);
    }
    return parts;
  }

  it(
    'every 200/206/416 answer is exactly the bytes (and ranges) it claims, whatever Range and If-Range say',
    async () => {
      const ifRangeArb = fc.oneof(
        fc.constant(null),
        fc.constant('etag'),
        fc.constant('last-modified'),
        fc.constantFrom('W/etag', '"other"', 'Sun, 06 Nov 1994 08:49:37 GMT'),
        headerText,
      );
      const fileArb = fc.constantFrom(
        { index: 0, url: () => `/stream/proxy/${swarm.infoHash}` },
        { index: 0, url: () => `/stream/${swarm.infoHash}/${FILES[0]!.torrentIndex}/clip.mp4` },
        {
          index: 0,
          url: () => `/stream/${swarm.infoHash.toUpperCase()}/${FILES[0]!.torrentIndex}/..%2f..%2f..%2fetc%2fpasswd`,
        },
        { index: 1, url: () => `/stream/proxy/${swarm.infoHash}?fileIndex=${FILES[1]!.torrentIndex}` },
        {
          index: 1,
          url: () => `/stream/${swarm.infoHash}/${FILES[1]!.torrentIndex}/%2e%2e%2fsecret.txt?download=true`,
        },
      );
      const sizedRange = fc.oneof(
        rangeHeader,
        fc
          .array(
            fc.oneof(
              fc
                .tuple(fc.nat({ max: VIDEO.length + 10 }), fc.nat({ max: VIDEO.length + 10 }))
                .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
              fc.nat({ max: VIDEO.length + 10 }).map((n) => `${n}-`),
              fc.nat({ max: VIDEO.length + 10 }).map((n) => `-${n}`),
            ),
            { minLength: 1, maxLength: 20 },
          )
          .map((specs) => `bytes=${specs.join(', ')}`),
      );
      await fc.assert(
        fc.asyncProperty(
          fileArb,
          fc.option(sizedRange, { freq: 6 }),
          ifRangeArb,
          fc.constantFrom('GET', 'GET', 'GET', 'HEAD'),
          async (file, range, ifRange, method) => {
            const data = FILES[file.index]!.data;
            const { etag, lastModified } = validators[file.index]!;
            const headers: Array<[string, string]> = [];
            if (range !== null) headers.push(['Range', range]);
            const ifRangeValue =
              ifRange === 'etag'
                ? etag
                : ifRange === 'last-modified'
                  ? lastModified
                  : ifRange === 'W/etag'
                    ? `W/${etag}`
                    : ifRange;
            if (ifRangeValue !== null) headers.push(['If-Range', ifRangeValue]);
            const r = { method, target: file.url(), range, ifRange: ifRangeValue, extra: null };
            const res = await rawRequest(port, method, r.target, headers);
            assertNoServerError(res, r);
            expect(res.headers.etag).toBe(etag);

            // What RFC 9110 asks for: the Range (parseRange is fuzzed on its own), or the whole file
            // when If-Range names anything but this file's strong ETag or exact Last-Modified.
            const ifRangeMatches = ifRange === null || ifRange === 'etag' || ifRange === 'last-modified';
            let expected = parseRange(range ?? undefined, data.length);
            if (expected.kind !== 'full' && !ifRangeMatches) expected = { kind: 'full' };
            const status = { full: 200, partial: 206, unsatisfiable: 416 }[expected.kind];
            expect({ target: r.target, range, ifRange: ifRangeValue, status: res.status }).toEqual({
              target: r.target,
              range,
              ifRange: ifRangeValue,
              status,
            });
            if (res.status !== 416) {
              const length =
                expected.kind === 'partial' && expected.ranges.length === 1
                  ? expected.ranges[0]!.end - expected.ranges[0]!.start + 1
                  : expected.kind === 'full'
                    ? data.length
                    : undefined;
              if (length !== undefined) expect(Number(res.headers['content-length'])).toBe(length);
            }
            if (method === 'HEAD') return;

            if (res.status === 200) expect(res.body.equals(data)).toBe(true);
            if (res.status === 416) expect(res.headers['content-range']).toBe(`bytes */${data.length}`);
            if (res.status === 206) {
              const parts = partsOf(res, data.length);
              expect(parts.map((p) => p.range)).toEqual((expected as { ranges: ByteRange[] }).ranges);
              for (const { range: part, body } of parts) {
                expect(body.equals(data.subarray(part.start, part.end + 1))).toBe(true);
              }
            }
          },
        ),
        fuzzParameters(REAL_FILE_RUNS),
      );
    },
    fuzzTimeout(REAL_FILE_RUNS, 20),
  );

  it('the file is still intact and the server healthy afterwards', async () => {
    const res = await rawRequest(port, 'GET', `/stream/proxy/${swarm.infoHash}`);
    expect(res.status).toBe(200);
    expect(res.body.equals(VIDEO)).toBe(true);
    expect((await rawRequest(port, 'GET', '/health')).status).toBe(200);
  });
});
