import { randomBytes } from 'node:crypto';
import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// Real server, real loopback swarms: the standard fixture (one video, a subtitle, a binary) and an
// audio-only pack whose file names sort differently as text and as numbers.
let movie: Swarm;
let music: Swarm;
let server: TestServer;
let published: TestServer; // PUBLIC_URL set
const PUBLIC = 'https://tv.example.com/tss';

beforeAll(async () => {
  movie = await startSwarm();
  music = await startSwarm({
    name: 'Music Pack',
    files: ['10 Finale.mp3', '2 Overture.flac', 'cover.jpg', 'notes.txt'].map((path) => ({
      path,
      data: randomBytes(64 * 1024),
    })),
  });
  server = await startTestServer();
  published = await startTestServer({ PUBLIC_URL: PUBLIC });
  for (const [s, swarm] of [
    [server, movie],
    [server, music],
    [published, movie],
  ] as const) {
    expect((await json(`${s.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } })).status).toBe(
      201,
    );
  }
});

afterAll(async () => {
  await server?.stop();
  await published?.stop();
  await movie?.stop();
  await music?.stop();
});

/** Index of a file as the server numbers it (the torrent's order, not ours). */
async function indexOf(swarm: Swarm, name: string): Promise<number> {
  const res = await json(`${server.url}/api/torrents/${swarm.infoHash}/files`);
  return res.body.data.files.find((f: { name: string }) => f.name === name).index;
}
const movieM3u = async (base: string) =>
  `#EXTM3U\n#EXTINF:-1,Fixture Movie (2024).mp4\n${base}/stream/${movie.infoHash}/${await indexOf(movie, 'Fixture Movie (2024).mp4')}/Fixture%20Movie%20(2024).mp4\n`;
const musicM3u = async (base: string) =>
  '#EXTM3U\n' +
  `#EXTINF:-1,2 Overture.flac\n${base}/stream/${music.infoHash}/${await indexOf(music, '2 Overture.flac')}/2%20Overture.flac\n` +
  `#EXTINF:-1,10 Finale.mp3\n${base}/stream/${music.infoHash}/${await indexOf(music, '10 Finale.mp3')}/10%20Finale.mp3\n`;

describe('GET /playlist/<infoHash>.m3u', () => {
  test('lists the video with an absolute player URL, as audio/x-mpegurl with a file name', async () => {
    const res = await request(`${server.url}/playlist/${movie.infoHash}.m3u`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('audio/x-mpegurl; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="Fixture Pack.m3u"');
    expect(res.body.toString('utf8')).toBe(await movieM3u(server.url));
    const head = await request(`${server.url}/playlist/${movie.infoHash}.m3u`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('audio/x-mpegurl; charset=utf-8');
  });

  test('the listed URL streams the video', async () => {
    const text = (await request(`${server.url}/playlist/${movie.infoHash}.m3u`)).body.toString('utf8');
    const url = text.trim().split('\n')[2]!;
    const res = await request(url, { headers: { Range: 'bytes=0-99' } });
    expect(res.status).toBe(206);
    expect(res.body.equals(movie.files[0]!.data.subarray(0, 100))).toBe(true);
  });

  test('an audio-only torrent lists its audio files in numeric order, without images or text', async () => {
    const res = await request(`${server.url}/playlist/${music.infoHash}.m3u`);
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe(await musicM3u(server.url));
  });

  test('X-Forwarded-Proto and X-Forwarded-Host make the URLs', async () => {
    const res = await request(`${server.url}/playlist/${movie.infoHash}.m3u`, {
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'media.example.org' },
    });
    expect(res.body.toString('utf8')).toBe(await movieM3u('https://media.example.org'));
  });

  test('PUBLIC_URL wins over the request and forwarded headers', async () => {
    const res = await request(`${published.url}/playlist/${movie.infoHash}.m3u`, {
      headers: { 'X-Forwarded-Host': 'media.example.org' },
    });
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe(await movieM3u(PUBLIC));
  });

  test('unknown hash: 404 JSON error; bad hash: 400; other suffixes are not routes', async () => {
    const unknown = 'b'.repeat(40);
    const res = await json(`${server.url}/playlist/${unknown}.m3u`);
    expect(res).toEqual({
      status: 404,
      body: { success: false, error: { code: 'NOT_FOUND', message: `Torrent ${unknown} not found` } },
    });
    expect((await json(`${server.url}/playlist/nope.m3u`)).status).toBe(400);
    const m3u8 = await json(`${server.url}/playlist/${movie.infoHash}.m3u8`);
    expect(m3u8.status).toBe(404);
    expect(m3u8.body.error.message).toBe(`No route for GET /playlist/${movie.infoHash}.m3u8`);
  });
});

describe('GET /strm/<infoHash>/<fileIndex>.strm', () => {
  test('is the single absolute URL, as text/plain named after the file', async () => {
    const index = await indexOf(movie, 'Fixture Movie (2024).mp4');
    const res = await request(`${server.url}/strm/${movie.infoHash}/${index}.strm`, {
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'media.example.org' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="Fixture Movie (2024).strm"');
    expect(res.body.toString('utf8')).toBe(
      `https://media.example.org/stream/${movie.infoHash}/${index}/Fixture%20Movie%20(2024).mp4\n`,
    );
    const pub = await request(`${published.url}/strm/${movie.infoHash}/${index}.strm`);
    expect(pub.body.toString('utf8')).toBe(
      `${PUBLIC}/stream/${movie.infoHash}/${index}/Fixture%20Movie%20(2024).mp4\n`,
    );
  });

  test('unknown hash or file index: 404 JSON errors; a bad index: 400', async () => {
    const unknown = await json(`${server.url}/strm/${'c'.repeat(40)}/0.strm`);
    expect(unknown).toEqual({
      status: 404,
      body: { success: false, error: { code: 'NOT_FOUND', message: `Torrent ${'c'.repeat(40)} not found` } },
    });
    const missing = await json(`${server.url}/strm/${movie.infoHash}/7.strm`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('FILE_NOT_FOUND');
    expect((await json(`${server.url}/strm/${movie.infoHash}/x.strm`)).status).toBe(400);
  });
});

describe('GET /playlist/all.m3u', () => {
  test("lists every media file of every active torrent, in the library's order", async () => {
    const order = (await json(`${server.url}/api/torrents`)).body.data.torrents.map(
      (t: { infoHash: string }) => t.infoHash,
    );
    expect(order).toEqual([music.infoHash, movie.infoHash]); // newest first, as GET /api/torrents lists them
    const res = await request(`${server.url}/playlist/all.m3u`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('audio/x-mpegurl; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="all.m3u"');
    expect(res.body.toString('utf8')).toBe(
      (await musicM3u(server.url)) + (await movieM3u(server.url)).slice('#EXTM3U\n'.length),
    );
  });

  test('a torrent that is only in the cache stays listed, by hash and in all.m3u', async () => {
    const before = await movieM3u(server.url);
    await waitFor(
      async () =>
        (await json(`${server.url}/api/cache/check`, { method: 'POST', body: { infoHashes: [movie.infoHash] } })).body
          .data[0].cached,
      30000,
      'movie cached',
    );
    const removed = await json(`${server.url}/api/torrents/${movie.infoHash}`, { method: 'DELETE' });
    expect(removed.body.data.keptInCache).toBe(true);
    expect(server.torrents.has(movie.infoHash)).toBe(false);

    expect((await request(`${server.url}/playlist/${movie.infoHash}.m3u`)).body.toString('utf8')).toBe(before);
    const all = (await request(`${server.url}/playlist/all.m3u`)).body.toString('utf8');
    expect(all).toContain(before.slice('#EXTM3U\n'.length));
    expect(all).toContain((await musicM3u(server.url)).slice('#EXTM3U\n'.length));
  });
});
