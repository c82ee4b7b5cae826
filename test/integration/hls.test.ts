import { existsSync } from 'node:fs';
import { json, request, waitFor } from '../fixtures/http.js';
import { mediaFixtures } from '../fixtures/media-files.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// The HLS routes against the real server, real ffmpeg and a loopback swarm seeding real MKVs:
// the playlists' shape, the job bound (503 + Retry-After), 501 without ffmpeg, auth through the
// loopback URL, embedded subtitles as WebVTT and the Stremio "(browser)" entry.

const TOKEN = 'hls-test-token-0123456789';
let swarm: Swarm;
let servers: TestServer[] = [];

beforeAll(async () => {
  if (!existsSync('/usr/bin/ffmpeg'))
    throw new Error('ffmpeg not found: these tests need Debian ffmpeg (apt-get install -y ffmpeg)');
  const media = await mediaFixtures();
  swarm = await startSwarm({
    name: 'HLS Integration',
    files: [
      { path: 'Clip.mkv', data: media.h264Ac3Mkv },
      { path: 'Clip HEVC.mkv', data: media.hevcAacMkv },
    ],
  });
}, 60_000);

afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

afterAll(async () => {
  await swarm?.stop();
});

async function serverWith(env: Record<string, string>, token?: string): Promise<{ server: TestServer; base: string }> {
  const server = await startTestServer(token ? { ...env, API_TOKEN: token } : env);
  servers.push(server);
  const base = token ? `${server.url}/t/${token}` : server.url;
  await json(`${base}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
  await waitFor(
    async () => (await json(`${base}/api/torrents/${swarm.infoHash}`)).body.data?.progress === '100.00',
    30_000,
    'the fixture torrent to be complete',
  );
  return { server, base };
}

/** The torrent's file order is the torrent's (sorted), not the fixture list's. */
async function indexOf(base: string, name: string): Promise<number> {
  const res = await json(`${base}/api/torrents/${swarm.infoHash}/files`);
  return res.body.data.files.find((f: { name: string }) => f.name === name).index;
}

const text = async (url: string) => {
  const res = await request(url);
  return { ...res, text: res.body.toString() };
};

describe('on-demand HLS', () => {
  test('playlists cover the whole duration; segments are made on demand through an authenticated loopback URL', async () => {
    const { base } = await serverWith({ HLS_SEGMENT_SECONDS: '4' }, TOKEN);
    const h264 = await indexOf(base, 'Clip.mkv');
    const master = await text(`${base}/hls/${swarm.infoHash}/${h264}/master.m3u8?codecs=h264,aac`);
    expect(master.status).toBe(200);
    expect(master.headers['content-type']).toMatch(/^application\/vnd\.apple\.mpegurl/);
    expect(master.text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=');
    expect(master.text).toContain('RESOLUTION=320x240');
    // Relative URIs: the /t/<token>/ prefix the master came with reaches every segment.
    expect(master.text).toContain('\ncopy.aac.0/index.m3u8\n');
    expect(master.text).toMatch(
      /#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="eng",LANGUAGE="eng".*URI="subtitles\/0\.m3u8"/,
    );

    const media = await text(`${base}/hls/${swarm.infoHash}/${h264}/copy.aac.0/index.m3u8`);
    const extinf = [...media.text.matchAll(/#EXTINF:([\d.]+),\n(seg-\d+\.ts)/g)];
    expect(extinf.map((m) => m[2])).toEqual(['seg-0.ts', 'seg-1.ts', 'seg-2.ts', 'seg-3.ts', 'seg-4.ts', 'seg-5.ts']);
    const total = extinf.reduce((sum, m) => sum + Number(m[1]), 0);
    expect(total).toBeGreaterThan(23.5);
    expect(media.text.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);

    // A seek: the last segment first, then the first.
    const last = await request(`${base}/hls/${swarm.infoHash}/${h264}/copy.aac.0/seg-5.ts`);
    expect(last.status).toBe(200);
    expect(last.body[0]).toBe(0x47); // MPEG-TS sync byte
    const first = await request(`${base}/hls/${swarm.infoHash}/${h264}/copy.aac.0/seg-0.ts`);
    expect(first.status).toBe(200);
    const past = await text(`${base}/hls/${swarm.infoHash}/${h264}/copy.aac.0/seg-6.ts`);
    expect(past.status).toBe(404);
    // Without the token nothing is served.
    expect(
      (await request(`${base.replace(`/t/${TOKEN}`, '')}/hls/${swarm.infoHash}/${h264}/copy.aac.0/seg-0.ts`)).status,
    ).toBe(401);
  }, 60_000);

  test('embedded SRT comes out as WebVTT; bad tracks and variants are 4xx', async () => {
    const { base } = await serverWith({});
    const h264 = await indexOf(base, 'Clip.mkv');
    const vtt = await text(`${base}/subtitles/${swarm.infoHash}/${h264}/track/0.vtt`);
    expect(vtt.status).toBe(200);
    expect(vtt.headers['content-type']).toBe('text/vtt; charset=utf-8');
    expect(vtt.text).toMatch(/^WEBVTT/);
    expect(vtt.text).toContain('Hello from inside the MKV');
    expect((await text(`${base}/subtitles/${swarm.infoHash}/${h264}/track/3.vtt`)).status).toBe(404);
    const audio = await text(`${base}/hls/${swarm.infoHash}/${h264}/master.m3u8?audio=4`);
    expect(audio.status).toBe(400);
    expect(JSON.parse(audio.text).error.code).toBe('INVALID_INPUT');
    expect((await text(`${base}/hls/${swarm.infoHash}/${h264}/nope/index.m3u8`)).status).toBe(400);
    expect((await text(`${base}/hls/${swarm.infoHash}/${h264 + 9}/master.m3u8`)).status).toBe(404);
  }, 60_000);

  test('beyond HLS_MAX_JOBS a client gets 503 with Retry-After, and a slot frees once its viewer leaves', async () => {
    // 1 s segments: 24 of them, so a job pauses (still holding its slot) a few segments ahead of its viewer.
    const { server, base } = await serverWith({ HLS_MAX_JOBS: '1', HLS_SEGMENT_SECONDS: '1', HLS_IDLE_TIMEOUT: '1' });
    const h264 = await indexOf(base, 'Clip.mkv');
    const hevc = await indexOf(base, 'Clip HEVC.mkv');
    const a = await request(`${base}/hls/${swarm.infoHash}/${h264}/h264.aac.0/seg-0.ts`);
    expect(a.status).toBe(200);
    const busy = await text(`${base}/hls/${swarm.infoHash}/${hevc}/h264.copy.0/seg-0.ts`);
    expect(busy.status).toBe(503);
    expect(JSON.parse(busy.text).error.code).toBe('TOO_BUSY');
    expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
    // The first viewer is gone: after the idle timeout its job is killed and the next one starts.
    await waitFor(
      async () => (await request(`${base}/hls/${swarm.infoHash}/${hevc}/h264.copy.0/seg-0.ts`)).status === 200,
      15_000,
      'a free HLS slot',
    );
    expect(server.url).toBeTruthy();
  }, 60_000);

  test('without ffmpeg the HLS routes answer 501 and the rest of the server works', async () => {
    const { base } = await serverWith({ FFMPEG_PATH: '/nonexistent/ffmpeg', FFPROBE_PATH: '/nonexistent/ffprobe' });
    const h264 = await indexOf(base, 'Clip.mkv');
    for (const path of [`/stream/probe/${swarm.infoHash}/0`, `/hls/${swarm.infoHash}/${h264}/master.m3u8`]) {
      const res = await text(`${base}${path}`);
      expect(res.status).toBe(501);
      expect(JSON.parse(res.text).error).toMatchObject({
        code: 'FEATURE_UNAVAILABLE',
        message: expect.stringMatching(/ffmpeg/),
      });
    }
    const file = await request(`${base}/stream/proxy/${swarm.infoHash}?fileIndex=${h264}`, {
      headers: { Range: 'bytes=0-3' },
    });
    expect(file.status).toBe(206);
    expect(file.body.toString('hex')).toBe('1a45dfa3'); // the Matroska (EBML) magic
  }, 60_000);

  test('Stremio gets a "(browser)" HLS entry next to a not-web-ready MKV', async () => {
    const { base } = await serverWith({});
    const h264 = await indexOf(base, 'Clip.mkv');
    const res = await json(`${base}/stream/movie/btih:${swarm.infoHash}:${h264}.json`);
    const streams = res.body.streams as Array<{ name: string; url: string; behaviorHints: Record<string, unknown> }>;
    expect(streams).toHaveLength(2);
    expect(streams[0]!.behaviorHints.notWebReady).toBe(true);
    expect(streams[1]!.name).toMatch(/\(browser\)$/);
    expect(streams[1]!.url).toBe(`${base}/hls/${swarm.infoHash}/${h264}/master.m3u8`);
    expect(streams[1]!.behaviorHints).not.toHaveProperty('notWebReady');
    expect((await request(streams[1]!.url)).status).toBe(200);
    // Once the file was probed (the master above did), its embedded SRT is among the stream's subtitles.
    const again = await json(`${base}/stream/movie/btih:${swarm.infoHash}:${h264}.json`);
    expect(again.body.streams[0].subtitles).toEqual([
      {
        id: `${swarm.infoHash}:${h264}:track0`,
        url: `${base}/subtitles/${swarm.infoHash}/${h264}/track/0.vtt`,
        lang: 'eng',
      },
    ]);
  }, 60_000);
});
