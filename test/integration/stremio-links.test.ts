import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AddonClient } from 'stremio-addon-client';
import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { installAddon, resourceProblems } from '../fixtures/stremio.js';
import { fileIndexOf, movieFiles, seasonPackFiles } from '../fixtures/stremio-swarms.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// IMDb ids answered from library links made on POST /api/torrents (imdbId, season, episode).
let pack: Swarm;
let movie: Swarm;
let server: TestServer;
let addon: AddonClient;

beforeAll(async () => {
  [pack, movie] = await Promise.all([
    startSwarm({ name: 'Show Season 1', files: seasonPackFiles() }),
    startSwarm({ name: 'Fixture Movie', files: movieFiles() }),
  ]);
  server = await startTestServer();
  addon = await installAddon(`${server.url}/manifest.json`);
});

afterAll(async () => {
  await server?.stop();
  await Promise.all([pack?.stop(), movie?.stop()]);
});

const add = (body: Record<string, unknown>) => json(`${server.url}/api/torrents`, { method: 'POST', body });
const fileOf = (swarm: Swarm, name: string) => swarm.files.find((f) => f.path === name)!.data;

describe('POST /api/torrents validates the link fields before adding anything', () => {
  const hash = 'ef'.repeat(20);
  test.each([
    [{ imdbId: '0111161' }, /imdbId/],
    [{ imdbId: 'tt' }, /imdbId/],
    [{ imdbId: 'tt0111161', season: 0 }, /season/],
    [{ imdbId: 'tt0111161', season: 1, episode: -2 }, /episode/],
    [{ imdbId: 'tt0111161', season: '1.5' }, /season/],
    [{ imdbId: 'tt0111161', episode: 3 }, /episode needs a season/],
    [{ season: 1 }, /need an imdbId/],
  ])('%j is a 400', async (fields, message) => {
    const res = await add({ infoHash: hash, wait: false, ...fields });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
    expect(res.body.error.message).toMatch(message);
    expect((await json(`${server.url}/api/torrents/${hash}`)).status).toBe(404);
  });
});

describe('links', () => {
  test('a movie linked by imdbId streams its file for tt…', async () => {
    expect((await add({ magnetUri: movie.magnetUri, imdbId: 'tt0000001' })).status).toBe(201);
    const body = await addon.get('stream', 'movie', 'tt0000001');
    expect(resourceProblems('stream', body)).toEqual([]);
    expect(body.streams).toHaveLength(1);
    const index = await fileIndexOf(server.url, movie.infoHash, 'Fixture Movie (2024).mp4');
    expect(body.streams[0].url).toBe(`${server.url}/stream/${movie.infoHash}/${index}/Fixture%20Movie%20(2024).mp4`);
    expect(body.streams[0].description).toContain('from your library');
    const res = await request(body.streams[0].url);
    expect(res.body.equals(fileOf(movie, 'Fixture Movie (2024).mp4'))).toBe(true);
    // Not an episode, and not another title.
    expect((await addon.get('stream', 'series', 'tt0000001:1:1')).streams).toEqual([]);
    expect((await addon.get('stream', 'movie', 'tt0000011')).streams).toEqual([]);
  });

  test('a season pack linked by imdbId alone answers each episode with its own file', async () => {
    expect((await add({ magnetUri: pack.magnetUri, imdbId: 'tt0000002' })).status).toBe(201);
    const e1 = await fileIndexOf(server.url, pack.infoHash, 'Show.S01E01.1080p.mkv');
    const e2 = await fileIndexOf(server.url, pack.infoHash, 'Show.S01E02.1080p.mkv');
    const srt = await fileIndexOf(server.url, pack.infoHash, 'Show.S01E01.srt');

    const second = await addon.get('stream', 'series', 'tt0000002:1:2');
    expect(resourceProblems('stream', second)).toEqual([]);
    expect(second.streams.map((s: { url: string }) => s.url)).toEqual([
      `${server.url}/stream/${pack.infoHash}/${e2}/Show.S01E02.1080p.mkv`,
      // An MKV is not web-ready: its on-demand HLS comes second, for Stremio Web and iOS.
      `${server.url}/hls/${pack.infoHash}/${e2}/master.m3u8`,
    ]);
    expect(second.streams[0].subtitles).toBeUndefined();
    const bytes = await request(second.streams[0].url);
    expect(bytes.body.equals(fileOf(pack, 'Show.S01E02.1080p.mkv'))).toBe(true);

    const first = await addon.get('stream', 'series', 'tt0000002:1:1');
    expect(first.streams[0].url).toBe(`${server.url}/stream/${pack.infoHash}/${e1}/Show.S01E01.1080p.mkv`);
    expect(first.streams[0].subtitles.map((s: { url: string }) => s.url)).toEqual([
      `${server.url}/subtitles/${pack.infoHash}/${srt}.vtt`,
    ]);
    // Same torrent, same binge group: Stremio moves on to episode 2 by itself.
    expect(first.streams[0].behaviorHints.bingeGroup).toBe(second.streams[0].behaviorHints.bingeGroup);

    expect((await addon.get('stream', 'series', 'tt0000002:1:3')).streams).toEqual([]);
    expect((await addon.get('stream', 'series', 'tt0000002:2:1')).streams).toEqual([]);
    expect((await addon.get('stream', 'movie', 'tt0000002')).streams).toEqual([]);
  });

  test('an explicit season/episode (form strings) links a single-file torrent to that episode', async () => {
    await add({ magnetUri: movie.magnetUri }); // already in the library after the first test; now in any case
    expect((await add({ magnetUri: movie.magnetUri, imdbId: 'tt0000003', season: '2', episode: '5' })).status).toBe(
      200,
    );
    const body = await addon.get('stream', 'series', 'tt0000003:2:5');
    expect(body.streams).toHaveLength(1);
    expect(body.streams[0].behaviorHints.filename).toBe('Fixture Movie (2024).mp4');
    expect((await addon.get('stream', 'series', 'tt0000003:2:4')).streams).toEqual([]);
  });

  test('a link made before the metadata arrived is resolved from the file names later', async () => {
    // wait=false on a torrent the server has not seen: no file list when the link is stored.
    const late = await startSwarm({ name: 'Late Pack', files: seasonPackFiles() });
    try {
      expect((await add({ magnetUri: late.magnetUri, imdbId: 'tt0000004', season: 1, wait: false })).status).toBe(201);
      await waitFor(
        async () => (await json(`${server.url}/api/torrents/${late.infoHash}`)).body.data.files.length > 0,
        20000,
        'metadata',
      );
      const e2 = await fileIndexOf(server.url, late.infoHash, 'Show.S01E02.1080p.mkv');
      const body = await addon.get('stream', 'series', 'tt0000004:1:2');
      expect(body.streams.map((s: { url: string }) => s.url)).toEqual([
        `${server.url}/stream/${late.infoHash}/${e2}/Show.S01E02.1080p.mkv`,
        `${server.url}/hls/${late.infoHash}/${e2}/master.m3u8`,
      ]);
    } finally {
      await late.stop();
    }
  });
});

describe('links survive a restart', () => {
  test('the JSON store sits next to the cache db and answers after a restart, from the cache', async () => {
    // The links of the first two tests, made again (same link: replaced) so this test also runs alone (-t).
    await add({ magnetUri: movie.magnetUri, imdbId: 'tt0000001' });
    await add({ magnetUri: pack.magnetUri, imdbId: 'tt0000002' });
    const index = await fileIndexOf(server.url, movie.infoHash, 'Fixture Movie (2024).mp4');
    await waitFor(() => server.cache.isCached(movie.infoHash, index), 20000, 'movie in the cache index');
    const dataDir = server.dataDir;
    expect(existsSync(path.join(dataDir, 'imdb-links.json'))).toBe(true);
    await server.stop({ keepData: true });
    server = await startTestServer({}, { dataDir });
    const restarted = await installAddon(`${server.url}/manifest.json`);
    const body = await restarted.get('stream', 'movie', 'tt0000001');
    expect(body.streams).toHaveLength(1);
    expect(body.streams[0].name).toBe('⚡ cached\nTSS');
    expect(body.streams[0].url).toBe(`${server.url}/stream/${movie.infoHash}/${index}/Fixture%20Movie%20(2024).mp4`);
    const res = await request(body.streams[0].url);
    expect(res.body.equals(fileOf(movie, 'Fixture Movie (2024).mp4'))).toBe(true);
    // The file, and its "(browser)" HLS entry (an MKV).
    expect((await restarted.get('stream', 'series', 'tt0000002:1:2')).streams).toHaveLength(2);
  });
});
