import { existsSync } from 'node:fs';
import path from 'node:path';
import { request, json, waitFor } from '../fixtures/http.js';
import { seededRandom } from '../fixtures/random.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// One loopback swarm (tracker + seeder) and one server for the whole file; each test reads real bytes.
// The torrent is added in beforeAll and the tests that need it finished wait for that themselves, so
// each one also passes alone (-t); DELETE, which removes the torrent, stays last.
let swarm: Swarm;
let server: TestServer;
let video: Buffer;
let added: { status: number; body: any }; // the first POST, made in beforeAll

/** Seed of the random ranges: a failing range reproduces. */
const RANGES_SEED = 24301;

beforeAll(async () => {
  swarm = await startSwarm();
  video = swarm.files[0]!.data;
  server = await startTestServer();
  added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
});

afterAll(async () => {
  await server?.stop();
  await swarm?.stop();
});

const streamUrl = () => `${server.url}/stream/proxy/${swarm.infoHash}`;

const complete = () =>
  waitFor(
    async () => {
      const res = await json(`${server.url}/api/torrents/${swarm.infoHash}`);
      return res.body.data.status === 'complete' && res.body.data;
    },
    30000,
    'complete',
  );

describe('adding by magnet and streaming through real HTTP', () => {
  test('POST /api/torrents with a magnet returns metadata with every file', async () => {
    const res = added;
    expect(res.status).toBe(201);
    expect(res.body.success).toBe(true);
    expect(res.body.data.infoHash).toBe(swarm.infoHash);
    expect(res.body.data.cached).toBe(false);
    expect(res.body.data.message).toBe('Torrent added successfully');
    const paths = res.body.data.files.map((f: { path: string }) => f.path).sort();
    expect(paths).toEqual(swarm.files.map((f) => `${swarm.name}/${f.path}`).sort());
  });

  test('adding the same magnet again answers 200 "already added"', async () => {
    const res = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
    expect(res.status).toBe(200);
    expect(res.body.data.message).toBe('Torrent already added');
  });

  test('a full GET returns the exact bytes of the largest video file', async () => {
    const res = await request(streamUrl());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(Number(res.headers['content-length'])).toBe(video.length);
    expect(res.body.equals(video)).toBe(true);
  });

  test(`many random ranges match the fixture (seed ${RANGES_SEED})`, async () => {
    const random = seededRandom(RANGES_SEED);
    for (let i = 0; i < 40; i++) {
      const start = Math.floor(random() * video.length);
      const end = Math.min(video.length - 1, start + Math.floor(random() * 300_000));
      const res = await request(streamUrl(), { headers: { Range: `bytes=${start}-${end}` } });
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${video.length}`);
      expect(res.body.equals(video.subarray(start, end + 1))).toBe(true);
    }
  });

  test('open-ended, suffix and one-byte ranges', async () => {
    const open = await request(streamUrl(), { headers: { Range: `bytes=${video.length - 1000}-` } });
    expect(open.status).toBe(206);
    expect(open.body.equals(video.subarray(video.length - 1000))).toBe(true);

    const suffix = await request(streamUrl(), { headers: { Range: 'bytes=-500' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers['content-range']).toBe(`bytes ${video.length - 500}-${video.length - 1}/${video.length}`);
    expect(suffix.body.equals(video.subarray(video.length - 500))).toBe(true);

    const one = await request(streamUrl(), { headers: { Range: 'bytes=0-0' } });
    expect(one.status).toBe(206);
    expect(one.headers['content-length']).toBe('1');
    expect(one.body.length).toBe(1);
    expect(one.body[0]).toBe(video[0]);
  });

  test('multiple ranges come back as multipart/byteranges', async () => {
    const res = await request(streamUrl(), { headers: { Range: 'bytes=0-99,1000-1099,-50' } });
    expect(res.status).toBe(206);
    const boundary = /boundary=(\S+)/.exec(String(res.headers['content-type']))![1]!;
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    const parts = res.body.toString('latin1').split(`--${boundary}`).slice(1, -1);
    expect(parts).toHaveLength(3);
    const expected = [
      [0, 99],
      [1000, 1099],
      [video.length - 50, video.length - 1],
    ] as const;
    parts.forEach((part, i) => {
      const [head, body] = part.split('\r\n\r\n') as [string, string];
      const [s, e] = expected[i]!;
      expect(head).toContain(`Content-Range: bytes ${s}-${e}/${video.length}`);
      expect(Buffer.from(body.replace(/\r\n$/, ''), 'latin1').equals(video.subarray(s, e + 1))).toBe(true);
    });
  });

  test('unsatisfiable ranges get 416 with Content-Range: bytes */size', async () => {
    const res = await request(streamUrl(), { headers: { Range: `bytes=${video.length}-` } });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${video.length}`);
  });

  test('HEAD answers headers only', async () => {
    const res = await request(streamUrl(), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(video.length);
    expect(res.body.length).toBe(0);
    const ranged = await request(streamUrl(), { method: 'HEAD', headers: { Range: 'bytes=10-19' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-length']).toBe('10');
  });

  test('If-Range with a stale validator falls back to the whole file', async () => {
    const res = await request(streamUrl(), { headers: { Range: 'bytes=0-9', 'If-Range': '"something-else"' } });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(video.length);
  });

  test('the player-friendly path and ?download=true', async () => {
    const subtitle = swarm.files[1]!;
    const res = await request(`${server.url}/stream/${swarm.infoHash}/1/English.srt?download=true`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-subrip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="English\.srt"/);
    expect(res.body.equals(subtitle.data)).toBe(true);
  });

  test('/stream/file redirects to the proxy and /stream/info lists streamable files', async () => {
    const redirect = await request(`${server.url}/stream/file/${swarm.infoHash}/1`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(`/stream/proxy/${swarm.infoHash}?fileIndex=1`);
    const info = await json(`${server.url}/stream/info/${swarm.infoHash}`);
    expect(info.body.data.totalFiles).toBe(3);
    expect(info.body.data.videoFiles).toBe(1);
  });

  test('the status reaches complete with progress 100 and per-file progress', async () => {
    const status = await complete();
    expect(status.progress).toBe('100.00');
    const files = await json(`${server.url}/api/torrents/${swarm.infoHash}/files`);
    expect(files.body.data.count).toBe(3);
    expect(files.body.data.files[0].progress).toBe('100.00');
    // Nobody asked for the nested bonus file: at most the pieces it shares with its neighbours arrive.
    const bonus = files.body.data.files.find((f: { name: string }) => f.name === 'bonus.bin');
    expect(bonus.path).toBe(`${swarm.name}/extras/nested/deeper/bonus.bin`);
    expect(bonus.downloaded).toBeLessThan(bonus.length / 2);
  });

  test("GET /api/torrents lists it with the seed's shape", async () => {
    await complete();
    const res = await json(`${server.url}/api/torrents`);
    expect(res.body.data.total).toBe(1);
    expect(res.body.data.torrents[0]).toMatchObject({ infoHash: swarm.infoHash, progress: '100.00' });
    expect(res.body.data.dht).toEqual({ enabled: false, nodes: 0 });
  });

  test('DELETE with deleteFiles removes the torrent and its files', async () => {
    await complete();
    const dir = path.join(server.downloadDir, swarm.infoHash);
    expect(existsSync(dir)).toBe(true);
    const res = await json(`${server.url}/api/torrents/${swarm.infoHash}?deleteFiles=true`, { method: 'DELETE' });
    expect(res.body).toEqual({
      success: true,
      message: 'Torrent removed successfully',
      data: { infoHash: swarm.infoHash, deletedFiles: true, keptInCache: false },
    });
    expect(existsSync(dir)).toBe(false);
    expect((await json(`${server.url}/api/torrents/${swarm.infoHash}`)).status).toBe(404);
  });
});
