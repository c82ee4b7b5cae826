import { createHash } from 'node:crypto';
// @ts-expect-error create-torrent ships no types
import createTorrent from 'create-torrent';
import { DomainError } from '../../src/domain/errors.js';
import {
  buildMagnet,
  normalizeInfoHash,
  parseMagnet,
  parseTorrentFile,
  parseTorrentInput,
} from '../../src/domain/torrent-input.js';

const HEX = '0eedcc16dbcc947a31b9ba65d87f9f2156b4e98e';
// Computed independently with Python's base64.b32encode(bytes.fromhex(HEX)).
const B32 = 'B3W4YFW3ZSKHUMNZXJS5Q747EFLLJ2MO';
const OTHER = 'dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c';

async function invalid(promise: Promise<unknown> | (() => unknown), message?: string | RegExp): Promise<DomainError> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('INVALID_INPUT');
  if (message !== undefined) expect((error as DomainError).message).toMatch(message);
  return error as DomainError;
}

/** Minimal bencode encoder, so malicious torrents can be built without trusting any library. */
type Bencodable = number | string | Uint8Array | Bencodable[] | { [key: string]: Bencodable };
function bencode(value: Bencodable): Buffer {
  if (typeof value === 'number') return Buffer.from(`i${value}e`);
  if (typeof value === 'string') return bencode(Buffer.from(value));
  if (value instanceof Uint8Array) return Buffer.concat([Buffer.from(`${value.length}:`), value]);
  if (Array.isArray(value)) return Buffer.concat([Buffer.from('l'), ...value.map(bencode), Buffer.from('e')]);
  const keys = Object.keys(value).sort();
  return Buffer.concat([Buffer.from('d'), ...keys.flatMap((k) => [bencode(k), bencode(value[k]!)]), Buffer.from('e')]);
}

type Info = { [key: string]: Bencodable };
const multiInfo = (files: Array<{ [key: string]: Bencodable }>, extra: Info = {}): Info => ({
  name: 'Pack',
  'piece length': 16384,
  pieces: Buffer.alloc(20),
  files,
  ...extra,
});
const torrentOf = (info: Info, extra: Info = {}) =>
  bencode({ announce: 'http://127.0.0.1:1/announce', info, ...extra });
const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

function makeTorrent(input: Buffer | Buffer[], name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    createTorrent(input, { name, announceList: [['http://127.0.0.1:1/announce']] }, (err: Error | null, t: Buffer) =>
      err ? reject(err) : resolve(t),
    );
  });
}
const named = (name: string, content: string) => Object.assign(Buffer.from(content), { name });

describe('normalizeInfoHash', () => {
  it.each([
    [HEX, HEX],
    [HEX.toUpperCase(), HEX],
    [B32, HEX],
    [B32.toLowerCase(), HEX],
    ['3WBFL3G4PSSV7MF37AJSHWDQMLNR63I4', OTHER],
    ['A'.repeat(32), '0'.repeat(40)],
    ['7'.repeat(32), 'f'.repeat(40)],
    [`  ${HEX}\n`, HEX],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeInfoHash(input)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['39 hex', HEX.slice(1)],
    ['41 hex', `${HEX}0`],
    ['non-hex letter', `g${HEX.slice(1)}`],
    ['31 base32', B32.slice(1)],
    ['33 base32', `${B32}A`],
    ['base32 with 0/1/8/9', `0${B32.slice(1)}`],
    ['base32 with padding', `${B32.slice(0, 31)}=`],
    ['inner whitespace', `${HEX.slice(0, 20)} ${HEX.slice(20)}`],
    ['magnet link', `magnet:?xt=urn:btih:${HEX}`],
    ['64-char v2 hash', 'a'.repeat(64)],
  ])('%s -> undefined', (_label, input) => {
    expect(normalizeInfoHash(input)).toBeUndefined();
  });

  it('tolerates non-strings at runtime', () => {
    expect(normalizeInfoHash(42 as unknown as string)).toBeUndefined();
    expect(normalizeInfoHash(undefined as unknown as string)).toBeUndefined();
  });
});

describe('parseMagnet', () => {
  it('reads hash, name and trackers', async () => {
    const uri = `magnet:?xt=urn:btih:${HEX}&dn=Big+Buck%20Bunny&tr=udp%3A%2F%2Ftracker.example%3A1337&tr=wss%3A%2F%2Ft.example`;
    expect(await parseMagnet(uri)).toEqual({
      infoHash: HEX,
      name: 'Big Buck Bunny',
      trackers: ['udp://tracker.example:1337', 'wss://t.example'],
      magnetUri: uri,
    });
  });

  it('reads BEP 19 web seeds (ws=), http(s) only', async () => {
    const uri = `magnet:?xt=urn:btih:${HEX}&ws=http%3A%2F%2F127.0.0.1%3A8080%2Ffiles%2F&ws=ftp%3A%2F%2Fx&ws=https%3A%2F%2F127.0.0.1%2Fa`;
    expect((await parseMagnet(uri)).webSeeds).toEqual(['http://127.0.0.1:8080/files/', 'https://127.0.0.1/a']);
    expect((await parseMagnet(`magnet:?xt=urn:btih:${HEX}`)).webSeeds).toBeUndefined();
  });

  it('lowercases an uppercase hex hash and decodes base32', async () => {
    expect((await parseMagnet(`magnet:?xt=urn:btih:${HEX.toUpperCase()}`)).infoHash).toBe(HEX);
    expect((await parseMagnet(`magnet:?xt=urn:btih:${B32}`)).infoHash).toBe(HEX);
    expect((await parseMagnet(`magnet:?xt=urn:btih:${B32.toLowerCase()}`)).infoHash).toBe(HEX);
  });

  it('keeps an encoded "+" in dn (parse-torrent would turn it into a space)', async () => {
    expect((await parseMagnet(`magnet:?xt=urn:btih:${HEX}&dn=C%2B%2B+Course`)).name).toBe('C++ Course');
  });

  it('decodes UTF-8 names', async () => {
    expect((await parseMagnet(`magnet:?xt=urn:btih:${HEX}&dn=Am%C3%A9lie`)).name).toBe('Amélie');
  });

  it('has no name when dn is missing or blank, and no trackers when tr is missing', async () => {
    const a = await parseMagnet(`magnet:?xt=urn:btih:${HEX}`);
    expect(a).toEqual({ infoHash: HEX, trackers: [], magnetUri: `magnet:?xt=urn:btih:${HEX}` });
    expect('name' in (await parseMagnet(`magnet:?xt=urn:btih:${HEX}&dn=`))).toBe(false);
  });

  it('deduplicates trackers and drops empty ones', async () => {
    const t = encodeURIComponent('http://a/announce');
    expect((await parseMagnet(`magnet:?xt=urn:btih:${HEX}&tr=${t}&tr=&tr=${t}`)).trackers).toEqual([
      'http://a/announce',
    ]);
  });

  it('ignores parameters the engine ignores (more than one "=")', async () => {
    expect((await parseMagnet(`magnet:?xt=urn:btih:${HEX}&tr=http://a/announce?passkey=x`)).trackers).toEqual([]);
  });

  it('normalises the scheme case and surrounding whitespace', async () => {
    const result = await parseMagnet(`  MAGNET:?xt=urn:btih:${HEX}&dn=x \n`);
    expect(result.magnetUri).toBe(`magnet:?xt=urn:btih:${HEX}&dn=x`);
  });

  it('accepts hybrid v1+v2 magnets and repeated identical hashes', async () => {
    expect((await parseMagnet(`magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:1220${'a'.repeat(64)}`)).infoHash).toBe(HEX);
    expect((await parseMagnet(`magnet:?xt=urn:btih:${HEX}&xt=urn:btih:${B32}`)).infoHash).toBe(HEX);
  });

  it('parameter order does not matter', async () => {
    expect((await parseMagnet(`magnet:?dn=x&tr=udp%3A%2F%2Fa&xt=urn:btih:${HEX}`)).infoHash).toBe(HEX);
  });

  it.each([
    ['not a magnet', 'http://example.com/a.torrent', /must start with "magnet:\?"/],
    ['a bare hash', HEX, /must start with/],
    ['empty', '', /must start with/],
    ['scheme without ?', `magnet:xt=urn:btih:${HEX}`, /must start with/],
    ['no xt', 'magnet:?dn=foo', /no "xt=urn:btih:<info hash>"/],
    ['other urn', `magnet:?xt=urn:sha1:${HEX}`, /no "xt=urn:btih/],
    ['uppercase urn', `magnet:?xt=URN:BTIH:${HEX}`, /no "xt=urn:btih/],
    ['encoded xt', `magnet:?xt=urn%3Abtih%3A${HEX}`, /no "xt=urn:btih/],
    ['v2 only', `magnet:?xt=urn:btmh:1220${'a'.repeat(64)}`, /v2-only/],
    ['short hash', `magnet:?xt=urn:btih:${HEX.slice(1)}`, /40-character hex or 32-character base32/],
    ['hash with trailing junk', `magnet:?xt=urn:btih:${HEX}zz`, /40-character hex/],
    ['empty hash', 'magnet:?xt=urn:btih:', /40-character hex/],
    ['two different hashes', `magnet:?xt=urn:btih:${HEX}&xt=urn:btih:${OTHER}`, /more than one info hash/],
    ['malformed dn encoding', `magnet:?xt=urn:btih:${HEX}&dn=%E0%A4%A`, /malformed percent-encoding/],
    ['malformed tr encoding', `magnet:?xt=urn:btih:${HEX}&tr=%ZZ`, /malformed percent-encoding/],
  ])('rejects %s', async (_label, uri, message) => {
    const error = await invalid(parseMagnet(uri), message);
    expect(error.message).toMatch(/^magnetUri is not a valid magnet link: /);
  });

  it('rejects non-strings at runtime', async () => {
    await invalid(parseMagnet(undefined as unknown as string), /must start with/);
  });
});

describe('buildMagnet', () => {
  it('hash only', () => {
    expect(buildMagnet(HEX, {})).toBe(`magnet:?xt=urn:btih:${HEX}`);
  });

  it('URL-encodes dn and every tr', () => {
    expect(buildMagnet(HEX, { name: 'A b&c=d', trackers: ['http://x/y?a=1&b=2', 'udp://t:1'] })).toBe(
      `magnet:?xt=urn:btih:${HEX}&dn=A%20b%26c%3Dd&tr=http%3A%2F%2Fx%2Fy%3Fa%3D1%26b%3D2&tr=udp%3A%2F%2Ft%3A1`,
    );
  });

  it('normalises the hash, skips empty names, deduplicates trackers', () => {
    expect(buildMagnet(B32, { name: '', trackers: ['udp://a', 'udp://a', ''] })).toBe(
      `magnet:?xt=urn:btih:${HEX}&tr=udp%3A%2F%2Fa`,
    );
  });

  it('rejects an invalid hash', async () => {
    await invalid(() => buildMagnet('nope', {}), /infoHash must be/);
  });

  it('round-trips through parseMagnet, including awkward names', async () => {
    const name = 'C++ & "Friends" — 日本語 100%';
    const trackers = ['http://x/announce?passkey=a&b', 'udp://t:1'];
    const parsed = await parseMagnet(buildMagnet(HEX, { name, trackers }));
    expect(parsed).toMatchObject({ infoHash: HEX, name, trackers });
  });
});

describe('parseTorrentFile', () => {
  it('parses a real multi-file torrent from create-torrent', async () => {
    const data = await makeTorrent([named('a.mkv', 'hello world'), named('b.srt', 'second')], 'Pack');
    const parsed = await parseTorrentFile(data);
    expect(parsed.infoHash).toMatch(/^[0-9a-f]{40}$/);
    expect(parsed).toEqual({
      infoHash: parsed.infoHash,
      name: 'Pack',
      trackers: ['http://127.0.0.1:1/announce'],
      torrentFile: data,
      files: [
        { path: 'Pack/a.mkv', length: 11 },
        { path: 'Pack/b.srt', length: 6 },
      ],
      // 17 bytes in one 16 KiB piece: what an index rebuild verifies the files against.
      pieceLength: 16384,
      pieces: [expect.stringMatching(/^[0-9a-f]{40}$/)],
    });
  });

  it("reads a .torrent's url-list (BEP 19 web seeds)", async () => {
    const info = multiInfo([{ length: 5, path: ['x.mkv'] }]);
    const data = bencode({ info, 'url-list': ['http://127.0.0.1:9/seed/', 'gopher://x'] });
    expect((await parseTorrentFile(data)).webSeeds).toEqual(['http://127.0.0.1:9/seed/']);
  });

  it('parses a real single-file torrent', async () => {
    const data = await makeTorrent(named('movie.mp4', 'x'.repeat(1000)), 'movie.mp4');
    expect(await parseTorrentFile(data)).toMatchObject({
      name: 'movie.mp4',
      files: [{ path: 'movie.mp4', length: 1000 }],
    });
  });

  it('the info hash is the SHA-1 of the bencoded info dictionary', async () => {
    const info = multiInfo([{ length: 5, path: ['sub', 'deep', 'x.mkv'] }]);
    const parsed = await parseTorrentFile(torrentOf(info));
    expect(parsed.infoHash).toBe(sha1(bencode(info)));
    expect(parsed.files).toEqual([{ path: 'Pack/sub/deep/x.mkv', length: 5 }]);
  });

  it('prefers the .utf-8 variants for names and paths', async () => {
    const info = multiInfo([{ length: 1, path: ['bad'], 'path.utf-8': ['Été.mkv'] }], { 'name.utf-8': 'Amélie' });
    expect(await parseTorrentFile(torrentOf(info))).toMatchObject({
      name: 'Amélie',
      files: [{ path: 'Amélie/Été.mkv', length: 1 }],
    });
  });

  it('uses announce-list over announce and deduplicates', async () => {
    const data = torrentOf(multiInfo([{ length: 1, path: ['a'] }]), {
      'announce-list': [['udp://a'], ['udp://b', 'udp://a']],
    });
    expect((await parseTorrentFile(data)).trackers).toEqual(['udp://a', 'udp://b']);
  });

  it('accepts a torrent without trackers (DHT only)', async () => {
    const data = bencode({ info: multiInfo([{ length: 1, path: ['a'] }]) });
    expect((await parseTorrentFile(data)).trackers).toEqual([]);
  });

  it('accepts zero-length files', async () => {
    expect((await parseTorrentFile(torrentOf(multiInfo([{ length: 0, path: ['empty.txt'] }])))).files).toEqual([
      { path: 'Pack/empty.txt', length: 0 },
    ]);
  });

  describe('garbage', () => {
    it.each([
      ['empty', new Uint8Array()],
      ['text', Buffer.from('this is not a torrent')],
      ['a list, not a dictionary', bencode(['a'])],
      ['an empty dictionary', bencode({})],
      ['truncated bencode', Buffer.from('d4:info')],
      ['invalid bencode', Buffer.from('d4:infod4:name1:ae')],
      ['missing pieces', torrentOf({ name: 'x', 'piece length': 16384, length: 1 })],
      ['missing length', torrentOf({ name: 'x', 'piece length': 16384, pieces: Buffer.alloc(20) })],
      // parse-torrent takes any 20-byte buffer for a raw info hash; this one even starts with 'd'.
      ['20 bytes', Buffer.from('d'.padEnd(20, 'x'))],
      ['20 bytes not starting with d', Buffer.alloc(20, 1)],
    ])('%s', async (_label, data) => {
      await invalid(parseTorrentFile(data), /^The \.torrent file could not be parsed: /);
    });

    it('half of a real torrent', async () => {
      const data = await makeTorrent(named('a.mkv', 'abc'), 'a.mkv');
      await invalid(parseTorrentFile(data.subarray(0, data.length >> 1)), /could not be parsed/);
    });

    it('an empty file list', async () => {
      await invalid(parseTorrentFile(torrentOf(multiInfo([]))), /no files|could not be parsed/);
    });

    it('a non-Uint8Array at runtime', async () => {
      await invalid(parseTorrentFile('d4:infoe' as unknown as Uint8Array), /could not be parsed: it is empty/);
    });

    it('does not leak parse-torrent internals from TypeErrors', async () => {
      const error = await invalid(parseTorrentFile(torrentOf(multiInfo([]))));
      expect(error.message).not.toMatch(/Cannot read|undefined/);
    });
  });

  describe('unsafe paths', () => {
    // NOTE: parse-torrent itself path.join()s segments, so ['..','..','etc','passwd'] comes out as the
    // harmless-looking "etc/passwd": it hides the traversal instead of rejecting it. We reject.
    it.each([
      ['.. segments', [{ length: 1, path: ['..', '..', 'etc', 'passwd'] }]],
      ['.. in the middle', [{ length: 1, path: ['a', '..', '..', 'x'] }]],
      ['. segment', [{ length: 1, path: ['.', 'x'] }]],
      ['absolute segment', [{ length: 1, path: ['/etc/passwd'] }]],
      ['separator inside a segment', [{ length: 1, path: ['a/../../b'] }]],
      ['windows traversal', [{ length: 1, path: ['..\\..\\evil.exe'] }]],
      ['empty segment', [{ length: 1, path: ['a', '', 'b'] }]],
      ['NUL byte', [{ length: 1, path: ['a\u0000.mkv'] }]],
      ['.. only in path.utf-8', [{ length: 1, path: ['ok'], 'path.utf-8': ['..', 'x'] }]],
      ['.. only in the plain path', [{ length: 1, path: ['..', 'x'], 'path.utf-8': ['ok'] }]],
      [
        'safe file next to an unsafe one',
        [
          { length: 1, path: ['ok.mkv'] },
          { length: 1, path: ['..', 'x'] },
        ],
      ],
    ])('rejects %s', async (_label, files) => {
      await invalid(parseTorrentFile(torrentOf(multiInfo(files))), /unsafe file path/);
    });

    it.each([
      ['..', '..'],
      ['absolute name', '/etc'],
      ['name with a separator', 'a/b'],
    ])('rejects a torrent named %s', async (_label, name) => {
      await invalid(parseTorrentFile(torrentOf(multiInfo([{ length: 1, path: ['x'] }], { name }))), /unsafe file path/);
      await invalid(
        parseTorrentFile(torrentOf({ name, 'piece length': 16384, pieces: Buffer.alloc(20), length: 1 })),
        /unsafe file path/,
      );
    });

    it('rejects an empty path list', async () => {
      await invalid(parseTorrentFile(torrentOf(multiInfo([{ length: 1, path: [] }]))), /empty path/);
    });

    it('rejects negative lengths', async () => {
      await invalid(parseTorrentFile(torrentOf(multiInfo([{ length: -1, path: ['a'] }]))), /invalid file length/);
    });

    it('names containing dots are fine', async () => {
      const files = [{ length: 1, path: ['...', '..hidden', 'a..b.mkv'] }];
      expect((await parseTorrentFile(torrentOf(multiInfo(files)))).files).toEqual([
        { path: 'Pack/.../..hidden/a..b.mkv', length: 1 },
      ]);
    });
  });
});

describe('parseTorrentInput', () => {
  const magnet = `magnet:?xt=urn:btih:${HEX}&dn=Name&tr=udp%3A%2F%2Fa`;

  it('a magnet in magnetUri', async () => {
    expect(await parseTorrentInput({ magnetUri: magnet })).toEqual({
      infoHash: HEX,
      name: 'Name',
      trackers: ['udp://a'],
      magnetUri: magnet,
    });
  });

  it.each([HEX, HEX.toUpperCase(), B32, ` ${HEX} `])('a bare hash in magnetUri (%s)', async (hash) => {
    expect(await parseTorrentInput({ magnetUri: hash })).toEqual({ infoHash: HEX, trackers: [] });
  });

  it.each([HEX, B32.toLowerCase()])('a bare hash in infoHash (%s)', async (hash) => {
    expect(await parseTorrentInput({ infoHash: hash })).toEqual({ infoHash: HEX, trackers: [] });
  });

  it('infoHash agreeing with the magnet keeps the magnet details', async () => {
    expect(await parseTorrentInput({ magnetUri: magnet, infoHash: B32 })).toMatchObject({
      infoHash: HEX,
      name: 'Name',
      magnetUri: magnet,
    });
  });

  it('infoHash disagreeing with the magnet is rejected', async () => {
    await invalid(parseTorrentInput({ magnetUri: magnet, infoHash: OTHER }), /does not match/);
    await invalid(parseTorrentInput({ magnetUri: OTHER, infoHash: HEX }), /does not match/);
  });

  it('an invalid infoHash is rejected with a hint', async () => {
    await invalid(parseTorrentInput({ infoHash: 'xyz' }), /infoHash must be/);
    await invalid(parseTorrentInput({ infoHash: magnet }), /put magnet links in "magnetUri"/);
  });

  it('an invalid magnet is rejected by parseMagnet', async () => {
    await invalid(parseTorrentInput({ magnetUri: 'magnet:?dn=x' }), /^magnetUri is not a valid magnet link/);
    await invalid(parseTorrentInput({ magnetUri: 'hello' }), /^magnetUri is not a valid magnet link/);
  });

  it.each([
    ['http://example.com/a.torrent', 'http://example.com/a.torrent'],
    ['HTTPS://Example.com/a b.torrent?x=1', 'https://example.com/a%20b.torrent?x=1'],
    ['  https://example.com/t  ', 'https://example.com/t'],
  ])('torrentUrl %s', async (url, expected) => {
    expect(await parseTorrentInput({ torrentUrl: url })).toEqual({ torrentUrl: expected });
  });

  it.each([
    'ftp://example.com/a.torrent',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:,x',
    'magnet:?xt=urn:btih:x',
  ])('torrentUrl %s is rejected', async (url) => {
    await invalid(parseTorrentInput({ torrentUrl: url }), /torrentUrl must be an http\(s\) URL/);
  });

  it('a relative torrentUrl is rejected', async () => {
    await invalid(parseTorrentInput({ torrentUrl: '/a.torrent' }), /absolute http\(s\) URL/);
  });

  it('torrentUrl together with a magnet is ambiguous', async () => {
    await invalid(parseTorrentInput({ torrentUrl: 'http://x/a.torrent', magnetUri: magnet }), /not both/);
    await invalid(parseTorrentInput({ torrentUrl: 'http://x/a.torrent', infoHash: HEX }), /not both/);
  });

  it.each([{}, { magnetUri: null }, { magnetUri: '', infoHash: '  ', torrentUrl: '' }, { other: HEX } as object])(
    'nothing usable (%j) names the accepted fields',
    async (body) => {
      const error = await invalid(parseTorrentInput(body));
      for (const name of ['magnetUri', 'infoHash', 'torrentUrl']) expect(error.message).toContain(name);
    },
  );

  it.each([
    ['magnetUri', 42],
    ['magnetUri', { xt: HEX }],
    ['infoHash', [HEX]],
    ['torrentUrl', true],
  ])('%s of the wrong type is rejected', async (name, value) => {
    const error = await invalid(parseTorrentInput({ [name]: value }), new RegExp(`"${name}" must be a string`));
    expect(error.message).toContain('torrentUrl');
  });

  it('tolerates a null or undefined body at runtime', async () => {
    await invalid(parseTorrentInput(null as unknown as object), /magnetUri/);
    await invalid(parseTorrentInput(undefined as unknown as object), /magnetUri/);
  });
});
