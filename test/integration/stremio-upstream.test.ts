import { randomBytes } from 'node:crypto';
import nock from 'nock';
import type { AddonClient } from 'stremio-addon-client';
import { upstreamKey } from '../../src/domain/addon-config.js';
import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { cacheControl, installAddon, resourceProblems } from '../fixtures/stremio.js';
import { fileIndexOf, movieFiles } from '../fixtures/stremio-swarms.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// Upstream addons are faked with nock; our server, its cache and the swarm are real.
const UPSTREAM_A = 'http://upstream-a.test/manifest.json';
const UPSTREAM_B = 'http://upstream-b.test/some/path/manifest.json';
const UPSTREAM_SLOW = 'http://upstream-slow.test/manifest.json';

let movie: Swarm;
let server: TestServer;
let addon: AddonClient;
let movieIndex: number;
const unknownA = randomBytes(20).toString('hex');
const unknownB = randomBytes(20).toString('hex');

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1'); // our server, the tracker and the peers
  movie = await startSwarm({ name: 'Fixture Movie', files: movieFiles() });
  server = await startTestServer({ ADDON_UPSTREAMS: [UPSTREAM_A, UPSTREAM_B, UPSTREAM_SLOW].join(',') });
  addon = await installAddon(`${server.url}/manifest.json`);
  // Put the movie in the cache: add it, read it whole, wait for the index.
  await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: movie.magnetUri } });
  movieIndex = await fileIndexOf(server.url, movie.infoHash, 'Fixture Movie (2024).mp4');
  await request(`${server.url}/stream/proxy/${movie.infoHash}`);
  await waitFor(() => server.cache.isCached(movie.infoHash, movieIndex), 20000, 'movie in the cache index');
});

afterEach(() => {
  nock.abortPendingRequests();
  nock.cleanAll();
});

afterAll(async () => {
  nock.enableNetConnect();
  nock.restore(); // un-patch http/fetch: the next test file in this worker must see the real ones
  await server?.stop();
  await movie?.stop();
});

/** What upstream A knows about tt0000009: two torrents we lack, the one we cached (upper-case hash), a plain URL. */
const upstreamAStreams = () => [
  {
    name: 'A\n1080p',
    title: 'Some.Movie.1080p.mkv\n👤 12 💾 1.2 GB',
    infoHash: unknownA,
    fileIdx: 2,
    behaviorHints: { filename: 'Some.Movie.1080p.mkv', bingeGroup: 'a-1080p', videoSize: 1288490188 },
  },
  {
    name: 'A\n720p',
    description: 'no file index known',
    infoHash: unknownB,
    sources: [`tracker:http://tracker.test/announce`],
  },
  { name: 'A\n2160p', title: 'cached one', infoHash: movie.infoHash.toUpperCase(), fileIdx: movieIndex },
  { name: 'A\ndirect', url: 'https://cdn.test/movie.mp4' },
];

describe('upstream addons', () => {
  test('torrent streams are rewritten to our URLs, cached ones first; a 500 and a timeout only shorten the answer', async () => {
    const a = nock('http://upstream-a.test')
      .get('/stream/movie/tt0000009.json')
      .reply(200, { streams: upstreamAStreams() });
    const b = nock('http://upstream-b.test').get('/some/path/stream/movie/tt0000009.json').reply(500, 'boom');
    const slow = nock('http://upstream-slow.test')
      .get('/stream/movie/tt0000009.json')
      .delay(8000)
      .reply(200, { streams: [{ infoHash: randomBytes(20).toString('hex') }] });

    const started = Date.now();
    const body = await addon.get('stream', 'movie', 'tt0000009');
    const took = Date.now() - started;
    expect(a.isDone() && b.isDone() && slow.isDone()).toBe(true);
    expect(took).toBeGreaterThanOrEqual(4900);
    expect(took).toBeLessThan(7500);
    expect(resourceProblems('stream', body)).toEqual([]);

    expect(body.streams.map((s: { name: string }) => s.name)).toEqual([
      '⚡ cached\nA\n2160p',
      'A\n1080p',
      'A\n1080p (browser)',
      'A\n720p',
      'A\ndirect',
    ]);
    const [cached, unknown1, browser, unknown2, direct] = body.streams;
    // A not-web-ready file with a known index also comes as on-demand HLS, for Stremio Web and iOS.
    expect(browser.url).toBe(`${server.url}/hls/${unknownA}/2/master.m3u8`);
    expect(browser.behaviorHints).toEqual({
      bingeGroup: 'tss|a-1080p|hls',
      filename: 'Some.Movie.1080p.mkv',
      videoSize: 1288490188,
    });
    expect(cached.url).toBe(`${server.url}/stream/${movie.infoHash}/${movieIndex}/Fixture%20Movie%20(2024).mp4`);
    expect(cached.description).toBe('cached one');
    expect(cached.behaviorHints).toEqual({
      bingeGroup: `tss|${movie.infoHash}`,
      filename: 'Fixture Movie (2024).mp4',
      videoSize: 2048 * 1024,
    });
    const bytes = await request(cached.url, { headers: { Range: 'bytes=1000-99999' } });
    expect(bytes.body.equals(movie.files[0]!.data.subarray(1000, 100000))).toBe(true);

    expect(unknown1).toEqual({
      name: 'A\n1080p',
      title: 'Some.Movie.1080p.mkv\n👤 12 💾 1.2 GB',
      description: 'Some.Movie.1080p.mkv\n👤 12 💾 1.2 GB',
      url: `${server.url}/stream/${unknownA}/2/Some.Movie.1080p.mkv`,
      behaviorHints: {
        bingeGroup: 'tss|a-1080p',
        filename: 'Some.Movie.1080p.mkv',
        videoSize: 1288490188,
        notWebReady: true,
      },
    });
    expect(unknown2.url).toBe(`${server.url}/stream/proxy/${unknownB}`);
    expect(unknown2.description).toBe('no file index known');
    expect(unknown2).not.toHaveProperty('infoHash');
    expect(unknown2).not.toHaveProperty('sources');
    expect(direct).toEqual({ name: 'A\ndirect', url: 'https://cdn.test/movie.mp4' });
    // An upstream was missing: the answer must not be cached for long.
    nock('http://upstream-a.test').get('/stream/movie/tt0000009.json').reply(200, { streams: [] });
    nock('http://upstream-b.test').get('/some/path/stream/movie/tt0000009.json').reply(200, { streams: [] });
    nock('http://upstream-slow.test').get('/stream/movie/tt0000009.json').reply(200, { streams: [] });
    expect(await cacheControl(`${server.url}/stream/movie/tt0000009.json`)).toBe('max-age=30, public');
  });

  test('series ids are passed on encoded; only the chosen upstreams are asked; cachedOnly keeps cached streams', async () => {
    const a = nock('http://upstream-a.test')
      .get('/stream/series/tt0000009%3A1%3A2.json')
      .reply(200, { streams: upstreamAStreams() });
    const others = [
      nock('http://upstream-b.test').get(/.*/).reply(200, { streams: [] }),
      nock('http://upstream-slow.test').get(/.*/).reply(200, { streams: [] }),
    ];
    const config = encodeURIComponent(JSON.stringify({ cachedOnly: true, upstreams: [upstreamKey(UPSTREAM_A)] }));
    const configured = await installAddon(`${server.url}/${config}/manifest.json`);
    const body = await configured.get('stream', 'series', 'tt0000009:1:2');
    expect(a.isDone()).toBe(true);
    expect(others.map((s) => s.isDone())).toEqual([false, false]);
    expect(body.streams.map((s: { url: string }) => s.url)).toEqual([
      `${server.url}/stream/${movie.infoHash}/${movieIndex}/Fixture%20Movie%20(2024).mp4`,
    ]);
  });

  test('an upstream answering garbage or nothing useful gives an empty, valid answer', async () => {
    nock('http://upstream-a.test').get('/stream/movie/tt0000010.json').reply(200, 'not json');
    nock('http://upstream-b.test')
      .get('/some/path/stream/movie/tt0000010.json')
      .reply(200, {
        streams: [null, 'x', { infoHash: 'nothex', url: 'https://x.test/a.mp4' }, { title: 'no source' }],
      });
    nock('http://upstream-slow.test').get('/stream/movie/tt0000010.json').replyWithError('connection reset');
    const body = await addon.get('stream', 'movie', 'tt0000010');
    expect(body).toEqual({ streams: [], cacheMaxAge: 30 });
  });
});
