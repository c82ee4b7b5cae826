import { json, request, type RawResponse } from '../fixtures/http.js';
import { startLibtorrentSwarm, type LibtorrentSwarm } from '../fixtures/libtorrent-swarm.js';
import { seededRandom } from '../fixtures/random.js';
import { addTorrentFile, mainStreamUrl } from '../fixtures/torrent-api.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';

// Interop with a client that is not WebTorrent: libtorrent-rasterbar 2.0 (Debian's python3-libtorrent,
// test/fixtures/libtorrent-seeder.py) seeds on 127.0.0.1 over TCP, our real server downloads from it.
// Missing python3-libtorrent fails the suite (never skips): apt-get install python3-libtorrent.

/** Seed of the random ranges: a failing range reproduces. */
const RANGES_SEED = 61027;
const KIB = 1024;

const mainFileOf = (swarm: LibtorrentSwarm) => swarm.files[0]!.data;

const addMagnet = (server: TestServer, magnetUri: string) =>
  json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri } });

/** Every file path under `dir`, '/'-separated and relative to it. */

const isPad = (p: string) => p.split('/').includes('.pad');

describe('libtorrent v1 seeder, added by magnet', () => {
  let swarm: LibtorrentSwarm;
  let server: TestServer;
  let added: { status: number; body: any };
  /** The first read the server sees: 64 KiB at 90 % of the main file, timed from the POST. */
  let firstRange: Promise<{ res: RawResponse; start: number; addMs: number; fromAddMs: number }>;

  beforeAll(async () => {
    swarm = await startLibtorrentSwarm({ name: 'Libtorrent V1 Pack', mode: 'v1', pieceLength: 64 * KIB });
    server = await startTestServer();
    const t0 = performance.now();
    added = await addMagnet(server, swarm.magnetUri);
    const addMs = performance.now() - t0;
    const video = mainFileOf(swarm);
    const start = Math.floor(video.length * 0.9);
    const url = await mainStreamUrl(server, swarm);
    const requested = performance.now();
    firstRange = request(url, {
      headers: { Range: `bytes=${start}-${start + 64 * KIB - 1}` },
    }).then((res) => ({ res, start, addMs, fromAddMs: requested - t0 + res.firstByteMs }));
    firstRange.catch(() => undefined); // awaited by its test
  });

  afterAll(async () => {
    await server?.stop();
    await swarm?.stop();
  });

  test('the magnet resolves to the v1 hash with every file (no pad files in a v1-only torrent)', () => {
    expect(swarm.torrentFiles.some((f) => f.pad)).toBe(false);
    expect(added.status).toBe(201);
    expect(added.body.data.infoHash).toBe(swarm.infoHash);
    expect(added.body.data.name).toBe(swarm.name);
    const paths = added.body.data.files.map((f: { path: string }) => f.path).sort();
    expect(paths).toEqual(swarm.files.map((f) => `${swarm.name}/${f.path}`).sort());
  });

  test('64 KiB at 90 % of the main file, first thing after the add, is byte-exact (timed)', async () => {
    const { res, start, addMs, fromAddMs } = await firstRange;
    const video = mainFileOf(swarm);
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${start + 64 * KIB - 1}/${video.length}`);
    expect(res.body.equals(video.subarray(start, start + 64 * KIB))).toBe(true);
    // Information only: add (metadata from libtorrent over ut_metadata) + first byte of the range.
    console.log(
      `[libtorrent v1] POST magnet -> 201: ${addMs.toFixed(0)} ms; ` +
        `add -> first byte of 64 KiB at 90 %: ${fromAddMs.toFixed(0)} ms ` +
        `(request -> first byte ${res.firstByteMs.toFixed(0)} ms)`,
    );
  });

  test('a full GET returns the exact bytes of the main file', async () => {
    const video = mainFileOf(swarm);
    const url = await mainStreamUrl(server, swarm);
    const started = performance.now();
    const res = await request(url);
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(video.length);
    expect(res.body.equals(video)).toBe(true);
    const ms = performance.now() - started;
    console.log(
      `[libtorrent v1] full GET of ${(video.length / 1024 / 1024).toFixed(1)} MiB: ${ms.toFixed(0)} ms ` +
        `(${(video.length / 1024 / 1024 / (ms / 1000)).toFixed(1)} MiB/s)`,
    );
  });

  test(`30 random ranges match the fixture (seed ${RANGES_SEED})`, async () => {
    const video = mainFileOf(swarm);
    const url = await mainStreamUrl(server, swarm);
    const random = seededRandom(RANGES_SEED);
    for (let i = 0; i < 30; i++) {
      const start = Math.floor(random() * video.length);
      const end = Math.min(video.length - 1, start + Math.floor(random() * 300_000));
      const res = await request(url, { headers: { Range: `bytes=${start}-${end}` } });
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${video.length}`);
      expect(res.body.equals(video.subarray(start, end + 1))).toBe(true);
    }
  });
});

describe('libtorrent hybrid (v1+v2, BEP 47 pad files) seeder', () => {
  let swarm: LibtorrentSwarm;
  /** Got the torrent as a raw .torrent upload. */
  let fileServer: TestServer;
  /** Got it by magnet with the v1 hash. */
  let magnetServer: TestServer;
  let byFile: { status: number; body: any };
  let byMagnet: { status: number; body: any };

  beforeAll(async () => {
    swarm = await startLibtorrentSwarm({ name: 'Libtorrent Hybrid Pack', mode: 'hybrid', pieceLength: 256 * KIB });
    [fileServer, magnetServer] = await Promise.all([startTestServer(), startTestServer()]);
    [byFile, byMagnet] = await Promise.all([
      addTorrentFile(fileServer, swarm.torrentFile),
      addMagnet(magnetServer, swarm.magnetUri),
    ]);
  });

  afterAll(async () => {
    await fileServer?.stop();
    await magnetServer?.stop();
    await swarm?.stop();
  });

  test('the fixture really is a hybrid with pad files, and the v1 hash is what the server reports', () => {
    expect(swarm.v2InfoHash).toMatch(/^[0-9a-f]{64}$/);
    expect(swarm.infoHash).not.toBe(swarm.v2InfoHash!.slice(0, 40));
    expect(swarm.torrentFiles.filter((f) => f.pad).length).toBeGreaterThan(0);
    for (const f of swarm.torrentFiles.filter((t) => !t.pad)) expect(f.offset % swarm.pieceLength).toBe(0);
    expect(byFile.status).toBe(201);
    expect(byFile.body.data.infoHash).toBe(swarm.infoHash);
    expect(byMagnet.status).toBe(201);
    expect(byMagnet.body.data.infoHash).toBe(swarm.infoHash);
    // For the pad-file work: what the server lists today (printed, not asserted here).
    const list = (added: { body: any }) =>
      added.body.data.files.map((f: any, i: number) => `${i}:${f.path} (${f.length})`);
    console.log(
      `[libtorrent hybrid] libtorrent's files:\n  ${swarm.torrentFiles
        .map((f) => `${f.index}:${f.path} (${f.size} @${f.offset}${f.pad ? ', pad' : ''})`)
        .join('\n  ')}\n` +
        `POST .torrent files:\n  ${list(byFile).join('\n  ')}\nPOST magnet files:\n  ${list(byMagnet).join('\n  ')}`,
    );
  });

  test.each([
    ['.torrent upload', () => fileServer],
    ['magnet with the v1 hash', () => magnetServer],
  ])('added by %s: the main file streams byte-exact', async (how, server) => {
    const video = mainFileOf(swarm);
    const url = await mainStreamUrl(server(), swarm);
    const started = performance.now();
    const res = await request(url);
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(video.length);
    expect(res.body.equals(video)).toBe(true);
    console.log(`[libtorrent hybrid] ${how}: full GET ${(performance.now() - started).toFixed(0)} ms`);
    const tail = await request(url, { headers: { Range: 'bytes=-4096' } });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(video.subarray(video.length - 4096))).toBe(true);
  });

  // The engine issue: BEP 47 pad files are "never listed, never counted in progress, never
  // selectable, never downloaded". Expected to fail until the engine filters them.
  describe.each([
    ['.torrent upload', () => fileServer, () => byFile],
    ['magnet with the v1 hash', () => magnetServer, () => byMagnet],
  ])('pad files, added by %s', (_how, server, added) => {
    test('the add response lists no .pad/ file', () => {
      const paths: string[] = added().body.data.files.map((f: { path: string }) => f.path);
      expect(paths.filter(isPad)).toEqual([]);
      expect(paths.sort()).toEqual(swarm.files.map((f) => `${swarm.name}/${f.path}`).sort());
    });

    test('GET /api/torrents/<hash> lists no .pad/ file', async () => {
      const res = await json(`${server().url}/api/torrents/${swarm.infoHash}`);
      expect(res.status).toBe(200);
      const paths: string[] = res.body.data.files.map((f: { path: string }) => f.path);
      expect(paths.filter(isPad)).toEqual([]);
      expect(paths).toHaveLength(swarm.files.length);
    });

    test('GET /api/torrents/<hash>/files lists no .pad/ file', async () => {
      const res = await json(`${server().url}/api/torrents/${swarm.infoHash}/files`);
      const paths: string[] = res.body.data.files.map((f: { path: string }) => f.path);
      expect(paths.filter(isPad)).toEqual([]);
      expect(res.body.data.count).toBe(swarm.files.length);
    });

    test('GET /stream/info/<hash> lists no .pad/ file', async () => {
      const res = await json(`${server().url}/stream/info/${swarm.infoHash}`);
      expect(res.status).toBe(200);
      const paths: string[] = res.body.data.files.map((f: { path: string }) => f.path);
      expect(paths.filter(isPad)).toEqual([]);
      expect(res.body.data.totalFiles).toBe(swarm.files.length);
    });

    // The pad after a file shares that file's last piece, so its zeros arrive with it and webtorrent's
    // store writes them to .pad/<N> on disk (the orphan sweep removes them); never selectable, though.
    test('a pad file cannot be streamed: FILE_NOT_FOUND, as if it did not exist', async () => {
      const pad = swarm.torrentFiles.find((f) => f.pad)!;
      expect(pad).toBeDefined();
      const res = await request(`${server().url}/stream/proxy/${swarm.infoHash}?fileIndex=${pad.index}`, {
        headers: { Range: 'bytes=0-9' },
      });
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body.toString()).error.code).toBe('FILE_NOT_FOUND');
    });
  });
});
