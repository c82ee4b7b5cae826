import { readFileSync } from 'node:fs';
import type { AddonClient } from 'stremio-addon-client';
import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { cacheControl, installAddon, lintAddon, resourceProblems } from '../fixtures/stremio.js';
import { fileIndexOf, movieFiles, PACK_VTT, seasonPackFiles } from '../fixtures/stremio-swarms.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// Our own torrents through the real addon protocol: a real loopback swarm, the real server, and the
// client library Stremio's apps are built on.
let pack: Swarm;
let movie: Swarm;
let server: TestServer;
let addon: AddonClient;
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

beforeAll(async () => {
  [pack, movie] = await Promise.all([
    startSwarm({ name: 'Show Season 1', files: seasonPackFiles() }),
    startSwarm({ name: 'Fixture Movie', files: movieFiles() }),
  ]);
  server = await startTestServer();
  // Pack first, movie second: the catalog must list the movie first.
  expect(
    (await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: pack.magnetUri } })).status,
  ).toBe(201);
  expect(
    (await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: movie.magnetUri } })).status,
  ).toBe(201);
  addon = await installAddon(`${server.url}/manifest.json`);
});

afterAll(async () => {
  await server?.stop();
  await Promise.all([pack?.stop(), movie?.stop()]);
});

const fileOf = (swarm: Swarm, path: string) => swarm.files.find((f) => f.path === path)!.data;

describe('manifest', () => {
  test('is detected by stremio-addon-client and lints clean, with the package version', async () => {
    const lint = lintAddon(addon);
    expect(lint.manifest).toEqual({ valid: true, errors: [], warnings: [] });
    expect(lint.collection.valid).toBe(true);
    expect(addon.manifest.version).toBe(version);
    expect(addon.manifest.behaviorHints).toEqual({ p2p: true, configurable: true });
    expect(addon.isSupported('stream', 'series', 'tt0944947:1:1')).toBe(true);
    expect(addon.isSupported('meta', 'movie', `btih:${movie.infoHash}`)).toBe(true);
    expect(addon.isSupported('meta', 'movie', 'tt0111161')).toBe(false);
  });

  test('a configured install URL serves the manifest (without the Configure button) and its resources', async () => {
    const configured = await installAddon(
      `${server.url}/${encodeURIComponent(JSON.stringify({ cachedOnly: true }))}/manifest.json`,
    );
    expect(lintAddon(configured).manifest.valid).toBe(true);
    expect(configured.manifest.behaviorHints.configurable).toBeUndefined();
    expect(configured.manifest.id).toBe(addon.manifest.id);
    const catalog = await configured.get('catalog', 'movie', 'tss-my-torrents');
    expect(catalog.metas).toHaveLength(2);
    // cachedOnly: nothing is cached yet, so the configured addon offers no stream for the movie.
    expect((await configured.get('stream', 'movie', `btih:${movie.infoHash}`)).streams).toEqual([]);
  });

  test('/configure renders a form whose result is a working install URL', async () => {
    const blank = await request(`${server.url}/configure`);
    expect(blank.status).toBe(200);
    expect(blank.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(blank.body.toString()).toContain(`<code id="manifest-url">${server.url}/manifest.json</code>`);

    const built = (await request(`${server.url}/configure?build=1&cachedOnly=on`)).body.toString();
    const url = /<code id="manifest-url">([^<]+)<\/code>/
      .exec(built)?.[1]
      ?.replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)));
    expect(url).toBe(`${server.url}/${encodeURIComponent('{"cachedOnly":true}')}/manifest.json`);
    expect(built).toContain(`href="stremio://${server.url.slice('http://'.length)}/`);
    expect((await installAddon(url!)).manifest.name).toBe(addon.manifest.name);
  });
});

describe('catalog and meta', () => {
  test('"My torrents" lists every torrent, newest first, with a short cache', async () => {
    const body = await addon.get('catalog', 'movie', 'tss-my-torrents');
    expect(resourceProblems('catalog', body)).toEqual([]);
    expect(body.metas.map((m: { id: string }) => m.id)).toEqual([`btih:${movie.infoHash}`, `btih:${pack.infoHash}`]);
    expect(body.metas.map((m: { type: string }) => m.type)).toEqual(['movie', 'series']);
    expect(body.metas[0].name).toBe('Fixture Movie');
    expect(await cacheControl(`${server.url}/catalog/movie/tss-my-torrents.json`)).toBe('max-age=30, public');
    expect(
      (await addon.get('catalog', 'movie', 'tss-my-torrents', { skip: '1' })).metas.map((m: { id: string }) => m.id),
    ).toEqual([`btih:${pack.infoHash}`]);
  });

  test('catalog items and metas carry an absolute generated poster URL that answers an SVG with the name', async () => {
    const body = await addon.get('catalog', 'movie', 'tss-my-torrents');
    expect(body.metas.map((m: { poster: string; posterShape: string }) => [m.poster, m.posterShape])).toEqual([
      [`${server.url}/poster/${movie.infoHash}.svg`, 'poster'],
      [`${server.url}/poster/${pack.infoHash}.svg`, 'poster'],
    ]);
    expect((await addon.get('meta', 'movie', `btih:${movie.infoHash}`)).meta.poster).toBe(body.metas[0].poster);
    const res = await request(body.metas[0].poster);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body.toString()).toMatch(/^<svg [^>]*viewBox="0 0 300 450"/);
    expect(res.body.toString()).toContain('>Fixture Movie</tspan>');
    const bad = await json(`${server.url}/poster/nothash.svg`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_INPUT');
    expect((await request(`${server.url}/poster/${'ab'.repeat(20)}.svg`)).status).toBe(404);
  });

  test('a season pack is a series whose videos are its episode files, with names, sizes and episode numbers', async () => {
    const body = await addon.get('meta', 'series', `btih:${pack.infoHash}`);
    expect(resourceProblems('meta', body)).toEqual([]);
    const e1 = await fileIndexOf(server.url, pack.infoHash, 'Show.S01E01.1080p.mkv');
    const e2 = await fileIndexOf(server.url, pack.infoHash, 'Show.S01E02.1080p.mkv');
    expect(body.meta.type).toBe('series');
    // Videos come in torrent order; the subtitle is not a video.
    const expected = [
      { index: e1, row: [`btih:${pack.infoHash}:${e1}`, 'Show.S01E01.1080p.mkv', 1, 1] },
      { index: e2, row: [`btih:${pack.infoHash}:${e2}`, 'Show.S01E02.1080p.mkv', 1, 2] },
    ]
      .sort((a, b) => a.index - b.index)
      .map((e) => e.row);
    expect(body.meta.videos.map((v: Record<string, unknown>) => [v.id, v.title, v.season, v.episode])).toEqual(
      expected,
    );
    expect(body.meta.videos.find((v: { episode: number }) => v.episode === 1).overview).toMatch(/^1\.5 MiB/);
  });

  test('a single-video torrent is a movie that opens on its file', async () => {
    const body = await addon.get('meta', 'movie', `btih:${movie.infoHash}`);
    expect(resourceProblems('meta', body)).toEqual([]);
    expect(body.meta.videos).toHaveLength(1);
    expect(body.meta.videos[0].title).toBe('Fixture Movie (2024).mp4');
    expect(body.meta.videos[0].overview).toMatch(/^2\.0 MiB/);
    expect(body.meta.behaviorHints.defaultVideoId).toBe(body.meta.videos[0].id);
  });

  test('an unknown torrent is a 404, not an empty meta', async () => {
    await expect(addon.get('meta', 'movie', `btih:${'ab'.repeat(20)}`)).rejects.toMatchObject({ code: 7 }); // ERR_NOT_FOUND;
    expect((await request(`${server.url}/meta/movie/btih:${'ab'.repeat(20)}.json`)).status).toBe(404);
  });
});

describe('streams for our own ids', () => {
  test('btih:<hash> gives an absolute URL ending in the file name that streams the exact bytes', async () => {
    const body = await addon.get('stream', 'movie', `btih:${movie.infoHash}`);
    expect(resourceProblems('stream', body)).toEqual([]);
    expect(body.streams).toHaveLength(1);
    const [stream] = body.streams;
    const index = await fileIndexOf(server.url, movie.infoHash, 'Fixture Movie (2024).mp4');
    expect(stream.url).toBe(`${server.url}/stream/${movie.infoHash}/${index}/Fixture%20Movie%20(2024).mp4`);
    expect(stream.behaviorHints).toEqual({
      bingeGroup: `tss|${movie.infoHash}`,
      filename: 'Fixture Movie (2024).mp4',
      videoSize: 2048 * 1024,
    });
    // On loopback the 2 MiB file may already be finished (and so marked cached) by now.
    expect(['TSS', '⚡ cached\nTSS']).toContain(stream.name);
    expect(stream.description).toContain('Fixture Movie (2024).mp4');
    const res = await request(stream.url);
    expect(res.status).toBe(200);
    expect(res.body.equals(fileOf(movie, 'Fixture Movie (2024).mp4'))).toBe(true);
  });

  test('once the file is in the cache it is marked "⚡ cached" and cached for a day', async () => {
    const index = await fileIndexOf(server.url, movie.infoHash, 'Fixture Movie (2024).mp4');
    await waitFor(() => server.cache.isCached(movie.infoHash, index), 20000, 'movie in the cache index');
    const body = await addon.get('stream', 'movie', `btih:${movie.infoHash}`);
    expect(body.streams[0].name).toBe('⚡ cached\nTSS');
    expect(await cacheControl(`${server.url}/stream/movie/btih:${movie.infoHash}.json`)).toBe('max-age=86400, public');
    const configured = await installAddon(`${server.url}/${encodeURIComponent('{"cachedOnly":true}')}/manifest.json`);
    expect((await configured.get('stream', 'movie', `btih:${movie.infoHash}`)).streams).toHaveLength(1);
  });

  test('an episode of a pack: MKV is not web-ready and its subtitle is linked', async () => {
    const e1 = await fileIndexOf(server.url, pack.infoHash, 'Show.S01E01.1080p.mkv');
    const srt = await fileIndexOf(server.url, pack.infoHash, 'Show.S01E01.srt');
    const body = await addon.get('stream', 'series', `btih:${pack.infoHash}:${e1}`);
    expect(resourceProblems('stream', body)).toEqual([]);
    const [stream] = body.streams;
    expect(stream.url).toBe(`${server.url}/stream/${pack.infoHash}/${e1}/Show.S01E01.1080p.mkv`);
    expect(stream.behaviorHints).toEqual({
      bingeGroup: `tss|${pack.infoHash}`,
      filename: 'Show.S01E01.1080p.mkv',
      videoSize: 1536 * 1024,
      notWebReady: true,
    });
    expect(stream.subtitles).toEqual([
      {
        id: `${pack.infoHash}:${srt}`,
        url: `${server.url}/subtitles/${pack.infoHash}/${srt}.vtt`,
        lang: 'Show.S01E01',
      },
    ]);
    const head = await request(stream.url, { headers: { Range: 'bytes=0-65535' } });
    expect(head.status).toBe(206);
    expect(head.body.equals(fileOf(pack, 'Show.S01E01.1080p.mkv').subarray(0, 65536))).toBe(true);
  });

  test('the episode 2 stream carries no subtitle of episode 1', async () => {
    const e2 = await fileIndexOf(server.url, pack.infoHash, 'Show.S01E02.1080p.mkv');
    const body = await addon.get('stream', 'series', `btih:${pack.infoHash}:${e2}`);
    expect(body.streams[0].behaviorHints.filename).toBe('Show.S01E02.1080p.mkv');
    expect(body.streams[0].subtitles).toBeUndefined();
  });
});

describe('a torrent still looking for peers', () => {
  test('a torrent still without metadata gets a proxy URL (no file name yet) and a short cache', async () => {
    const hash = 'cd'.repeat(20);
    expect(
      (await json(`${server.url}/api/torrents`, { method: 'POST', body: { infoHash: hash, wait: false } })).status,
    ).toBe(201);
    const body = await addon.get('stream', 'movie', `btih:${hash}`);
    expect(resourceProblems('stream', body)).toEqual([]);
    expect(body.streams).toEqual([
      {
        name: 'TSS',
        title: `${hash}\nfrom your library`,
        description: `${hash}\nfrom your library`,
        url: `${server.url}/stream/proxy/${hash}`,
        behaviorHints: { bingeGroup: `tss|${hash}`, notWebReady: true },
      },
    ]);
    expect(await cacheControl(`${server.url}/stream/movie/btih:${hash}.json`)).toBe('max-age=30, public');
    expect((await addon.get('stream', 'movie', `btih:${hash}:3`)).streams[0].url).toBe(
      `${server.url}/stream/proxy/${hash}?fileIndex=3`,
    );
  });
});

describe('GET /subtitles/:infoHash/:fileIndex.vtt', () => {
  test('converts a windows-1252 CRLF SRT from the torrent to UTF-8 WebVTT', async () => {
    const srt = await fileIndexOf(server.url, pack.infoHash, 'Show.S01E01.srt');
    const res = await request(`${server.url}/subtitles/${pack.infoHash}/${srt}.vtt`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/vtt; charset=utf-8');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body.equals(Buffer.from(PACK_VTT, 'utf8'))).toBe(true);
  });

  test('refuses a file that is not a subtitle, and bad parameters', async () => {
    const e1 = await fileIndexOf(server.url, pack.infoHash, 'Show.S01E01.1080p.mkv');
    const video = await json(`${server.url}/subtitles/${pack.infoHash}/${e1}.vtt`);
    expect(video.status).toBe(400);
    expect(video.body.error.code).toBe('INVALID_INPUT');
    expect((await request(`${server.url}/subtitles/nothash/0.vtt`)).status).toBe(400);
    expect((await request(`${server.url}/subtitles/${pack.infoHash}/99.vtt`)).status).toBe(404);
  });
});
