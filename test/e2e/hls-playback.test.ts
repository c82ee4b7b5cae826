import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { json, request, waitFor } from '../fixtures/http.js';
import { mediaFixtures } from '../fixtures/media-files.js';
import { CHROMIUM, LAUNCH_ARGS, requireTool } from '../fixtures/chromium.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// Real Chromium plays two MKVs it cannot play as they are, through the dashboard's player and the
// server's on-demand HLS: H.264 + AC-3 (video copied, audio to AAC) and HEVC + AAC (video to H.264).

const AC3_NAME = 'Clip H264 AC3.mkv';
const HEVC_NAME = 'Clip HEVC AAC.mkv';
const run = promisify(execFile);

let swarm: Swarm;
let server: TestServer;
let browser: Browser;
let workDir: string;

beforeAll(async () => {
  requireTool(CHROMIUM, 'chromium');
  requireTool('/usr/bin/ffmpeg', 'ffmpeg');
  workDir = await mkdtemp(path.join(os.tmpdir(), 'tss-hls-e2e-'));
  const media = await mediaFixtures();
  swarm = await startSwarm({
    name: 'HLS Fixture',
    files: [
      { path: AC3_NAME, data: media.h264Ac3Mkv },
      { path: HEVC_NAME, data: media.hevcAacMkv },
    ],
  });
  server = await startTestServer({ HLS_IDLE_TIMEOUT: '2', HLS_SEGMENT_SECONDS: '4', HLS_MAX_JOBS: '2' });
  await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
  await waitFor(
    async () => (await json(`${server.url}/api/torrents/${swarm.infoHash}`)).body.data?.progress === '100.00',
    30_000,
    'the fixture torrent to be complete',
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await swarm?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface VideoLike {
  currentTime: number;
  duration: number;
  paused: boolean;
  error: { code: number } | null;
  dataset: Record<string, string>;
  textTracks: { length: number; [i: number]: { cues: { length: number } | null; label: string } };
  addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
}

const state = (page: Page) =>
  page.$eval('#player', (v: VideoLike) => ({
    t: v.currentTime,
    d: v.duration,
    paused: v.paused,
    error: v.error?.code ?? null,
    mode: v.dataset.mode,
  }));

async function expectPlaying(page: Page, from: number) {
  await waitFor(
    async () => {
      const s = await state(page);
      if (s.error) throw new Error(`video error ${s.error}`);
      return s.t > from + 0.5;
    },
    20_000,
    `playback past ${from.toFixed(1)} s`,
  );
  const a = await state(page);
  await page.waitForTimeout(1000);
  const b = await state(page);
  expect(b.paused).toBe(false);
  expect(b.t).toBeGreaterThan(a.t);
  return b;
}

const seekTo = (page: Page, fraction: number) =>
  page.$eval(
    '#player',
    (v: VideoLike, f: number) =>
      new Promise<number>((resolve) => {
        v.addEventListener('seeked', () => resolve(v.currentTime), { once: true });
        v.currentTime = v.duration * f;
      }),
    fraction,
  );

async function fileIndex(name: string): Promise<number> {
  const res = await json(`${server.url}/api/torrents/${swarm.infoHash}/files`);
  return res.body.data.files.find((f: { name: string }) => f.name === name).index;
}

/** ffmpeg processes this test process started (the server runs in it), not other tests' on the machine. */
async function ownFfmpegs(): Promise<number> {
  const { stdout } = await run('ps', ['-o', 'comm=', '--ppid', String(process.pid)]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((c) => c.trim() === 'ffmpeg').length;
}

/** ffprobe of one segment the server made: what the browser got. */
async function segmentVideo(segmentUrl: string): Promise<{ codec_name: string; profile: string; height: number }> {
  const res = await request(segmentUrl);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('video/mp2t');
  const file = path.join(workDir, `seg-${Date.now()}.ts`);
  await writeFile(file, res.body);
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_streams',
    '-of',
    'json',
    file,
  ]);
  return (JSON.parse(stdout) as { streams: Array<{ codec_name: string; profile: string; height: number }> })
    .streams[0]!;
}

/** Plays `name` from the dashboard, seeks to 80 %, and returns the HLS segment URLs the page fetched. */
async function playAndSeek(name: string, options: { subtitles: boolean }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const segments: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${msg.text()} (${msg.location().url ?? ''})`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  page.on('request', (req) => {
    if (/\/seg-\d+\.ts$/.test(req.url())) segments.push(req.url());
  });
  if (process.env.HLS_DEBUG) {
    page.on('console', (msg) => console.log('console', msg.type(), msg.text()));
    page.on('response', (res) => console.log('response', res.status(), res.url()));
  }
  await page.goto(`${server.url}/`);
  const card = page.locator(`li.torrent[data-hash="${swarm.infoHash}"]`);
  await card.waitFor({ timeout: 15_000 });
  await card.getByRole('button', { name: `Play ${name}` }).click();
  const started = await expectPlaying(page, 0);
  expect(started.mode).toBe('hls');
  // The whole duration at once: the scrub bar is complete before anything past the start was made.
  expect(started.d).toBeGreaterThan(23);
  if (options.subtitles) {
    await waitFor(
      () =>
        page.$eval('#player', (v: VideoLike) => v.textTracks.length > 0 && (v.textTracks[0]!.cues?.length ?? 0) > 0),
      15_000,
      'embedded subtitle cues',
    );
  }
  const landed = await seekTo(page, 0.8);
  expect(landed).toBeGreaterThan(started.d * 0.75);
  const after = await expectPlaying(page, landed);
  expect(after.t).toBeGreaterThan(started.d * 0.8);
  expect(errors).toEqual([]);
  return { context, segments };
}

describe('browser playback through on-demand HLS', () => {
  test('the probe says what each file holds and what this client needs', async () => {
    const ac3 = await json(`${server.url}/stream/probe/${swarm.infoHash}/${await fileIndex(AC3_NAME)}?codecs=h264,aac`);
    expect(ac3.status).toBe(200);
    expect(ac3.body.data).toMatchObject({
      container: expect.stringContaining('matroska'),
      video: [{ codec: 'h264', width: 320, height: 240 }],
      audio: [{ index: 0, codec: 'ac3', channels: 2 }],
      subtitles: [{ index: 0, codec: 'subrip', language: 'eng', text: true }],
      playback: { direct: false, variant: 'copy.aac.0' },
    });
    expect(ac3.body.data.durationSeconds).toBeGreaterThan(23);
    const hevc = await json(
      `${server.url}/stream/probe/${swarm.infoHash}/${await fileIndex(HEVC_NAME)}?codecs=h264,aac`,
    );
    expect(hevc.body.data.playback).toMatchObject({ direct: false, variant: 'h264.copy.0' });
    // A client that decodes HEVC gets it copied.
    const hevcClient = await json(
      `${server.url}/stream/probe/${swarm.infoHash}/${await fileIndex(HEVC_NAME)}?codecs=hevc`,
    );
    expect(hevcClient.body.data.playback.variant).toBe('copy.copy.0');
  });

  test('H.264 + AC-3 MKV: plays and seeks in Chromium, video copied, subtitles as a text track', async () => {
    const { context, segments } = await playAndSeek(AC3_NAME, { subtitles: true });
    expect(segments.length).toBeGreaterThan(1);
    const copied = await segmentVideo(segments[segments.length - 1]!);
    // The source is x264 ultrafast (Constrained Baseline); a re-encode would be High profile.
    expect(copied).toMatchObject({ codec_name: 'h264', profile: 'Constrained Baseline', height: 240 });
    await context.close();
  }, 60_000);

  test('HEVC + AAC MKV: plays and seeks in Chromium, video transcoded to H.264', async () => {
    const { context, segments } = await playAndSeek(HEVC_NAME, { subtitles: false });
    const transcoded = await segmentVideo(segments[segments.length - 1]!);
    expect(transcoded).toMatchObject({ codec_name: 'h264', profile: 'High', height: 240 });
    await context.close();
  }, 60_000);

  test('when the pages close, the ffmpeg jobs end and the temp folder empties', async () => {
    const hlsDir = path.join(server.downloadDir, '.hls');
    await waitFor(
      async () => (await ownFfmpegs()) === 0 && (!existsSync(hlsDir) || (await readdir(hlsDir)).length === 0),
      15_000,
      'no ffmpeg running and an empty .hls folder',
    );
  }, 20_000);
});
