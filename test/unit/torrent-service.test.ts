import { Writable } from 'node:stream';
import { pino } from 'pino';
import { DomainError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/logger.js';
import { TorrentService, type StorageGuard } from '../../src/services/torrent.service.js';
import { FakeClock, settle } from '../fixtures/fake-clock.js';
import { FakeEngine, fileBytes, torrentMeta } from '../fixtures/fake-engine.js';

// TorrentService's lifecycle rules against a scripted engine and a manual clock: no network, no
// real timers. The real engine is covered by test/integration (streaming, idle, stall).
const T0 = 1_700_000_000_000;
const TIMEOUT = 10_000;

const hash = (n: number) => n.toString(16).padStart(40, '0');
const movie = (infoHash: string) =>
  torrentMeta(infoHash, 'Movie', [
    ['readme.txt', 10],
    ['movie.mkv', 5000],
    ['extra.mp4', 3000],
    ['disc.iso', 90_000],
  ]);

function recordingGuard(refuse: (infoHash: string, fileIndex: number) => boolean = () => false) {
  const reserved: Array<[string, number, number]> = [];
  const released: string[] = [];
  const guard: StorageGuard = {
    reserve: async (infoHash, fileIndex, bytes) => {
      if (refuse(infoHash, fileIndex))
        throw new DomainError('INSUFFICIENT_STORAGE', `no room for ${infoHash}/${fileIndex}`);
      reserved.push([infoHash, fileIndex, bytes]);
    },
    releaseTorrent: (infoHash) => {
      released.push(infoHash);
    },
  };
  return { guard, reserved, released };
}

function setup(options: { timeoutMs?: number; maxRetries?: number; maxActive?: number } = {}, logger = silentLogger) {
  const clock = new FakeClock(T0);
  const engine = new FakeEngine(clock);
  const torrents = new TorrentService(engine, clock, { timeoutMs: TIMEOUT, maxRetries: 0, ...options }, logger);
  const storage = recordingGuard();
  torrents.setStorageGuard(storage.guard);
  return { clock, engine, torrents, storage };
}

/** A rejection observed without awaiting it yet (so the clock can move while it is pending). */
function outcome<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('metadata attempts', () => {
  test('a metadata timeout retries with 1 s, 2 s, 4 s backoff, removing each failed attempt, then fails', async () => {
    const { clock, engine, torrents, storage } = setup({ maxRetries: 3 });
    const h = hash(1);
    torrents.add({ infoHash: h, trackers: [] });
    await settle();
    expect(engine.addTimes()).toEqual([T0]);
    expect(torrents.get(h)).toMatchObject({ status: 'connecting' });

    await clock.advance(TIMEOUT - 1);
    expect(engine.removes).toEqual([]);
    await clock.advance(1);
    expect(engine.removes).toEqual([{ infoHash: h, deleteFiles: false, at: T0 + TIMEOUT }]);
    expect(clock.pending()).toEqual([{ due: T0 + TIMEOUT + 1000, ms: 1000 }]);

    await clock.advance(60_000);
    const a1 = T0,
      a2 = a1 + TIMEOUT + 1000,
      a3 = a2 + TIMEOUT + 2000,
      a4 = a3 + TIMEOUT + 4000;
    expect(engine.addTimes()).toEqual([a1, a2, a3, a4]);
    expect(engine.removes.map((r) => r.at)).toEqual([a1, a2, a3, a4].map((t) => t + TIMEOUT));
    expect(engine.removes.every((r) => r.infoHash === h && !r.deleteFiles)).toBe(true);
    // Each attempt got a fresh engine torrent, each removed.
    expect(new Set(engine.adds.map((a) => a.torrent)).size).toBe(4);
    expect(engine.adds.every((a) => a.torrent.removed)).toBe(true);

    expect(torrents.get(h)).toMatchObject({
      status: 'failed',
      error: 'No peers found: no metadata after 4 attempts of 10 s',
    });
    expect(storage.released).toEqual([h]);
    expect(clock.pending()).toEqual([]);
    await expect(torrents.waitForMetadata(h)).rejects.toMatchObject({
      code: 'TORRENT_FAILED',
      message: 'No peers found: no metadata after 4 attempts of 10 s',
    });
  });

  test('a permanent error (a DomainError other than METADATA_TIMEOUT) fails at once, without retries', async () => {
    const { clock, engine, torrents, storage } = setup({ maxRetries: 3 });
    const h = hash(2);
    engine.script = (t) => t.reject(new DomainError('UNSAFE_PATH', 'file path escapes the download folder'));
    torrents.add({ infoHash: h, trackers: [] });
    await settle();
    expect(torrents.get(h)).toMatchObject({ status: 'failed', error: 'file path escapes the download folder' });
    expect(engine.removes).toEqual([{ infoHash: h, deleteFiles: false, at: T0 }]);
    expect(storage.released).toEqual([h]);

    await clock.advance(10 * 60_000);
    expect(engine.addTimes()).toEqual([T0]);
    expect(clock.pending()).toEqual([]);
    await expect(torrents.waitForMetadata(h)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
  });

  test('an engine error that is not a DomainError is retried, and its message becomes the failure', async () => {
    const { clock, engine, torrents } = setup({ maxRetries: 1 });
    const h = hash(3);
    engine.script = (t, attempt) => t.reject(new Error(`tracker exploded #${attempt}`));
    torrents.add({ infoHash: h, trackers: [] });
    await clock.advance(1000);
    expect(engine.addTimes()).toEqual([T0, T0 + 1000]);
    expect(torrents.get(h)).toMatchObject({ status: 'failed', error: 'Torrent failed: tracker exploded #2' });
  });

  test('waitForMetadata gives up with METADATA_TIMEOUT after its own timeout while attempts go on', async () => {
    const { clock, engine, torrents } = setup({ maxRetries: 2 });
    const h = hash(4);
    torrents.add({ infoHash: h, trackers: [] });
    const short = outcome(torrents.waitForMetadata(h, 5000));
    const long = outcome(torrents.waitForMetadata(h, 60_000));

    await clock.advance(4999);
    expect(short.settled).toBe(false);
    await clock.advance(1);
    expect(short.error).toBeInstanceOf(DomainError);
    expect(short.error).toMatchObject({
      code: 'METADATA_TIMEOUT',
      message: `No metadata for ${h} after 5 s: no peers found yet`,
    });
    expect(engine.removes).toEqual([]); // the attempt itself is not over

    await clock.advance(5000 + 1000); // attempt 1 times out, backoff, attempt 2 starts
    expect(engine.addTimes()).toEqual([T0, T0 + TIMEOUT + 1000]);
    expect(long.settled).toBe(false);

    const meta = movie(h);
    engine.last(h).resolve(meta);
    await settle();
    expect(long.value).toBe(meta);
    expect(torrents.get(h)).toMatchObject({ name: 'Movie', status: 'connecting' });
    expect(clock.pending()).toEqual([]); // every timer (attempt and waiters) was cancelled
    await expect(torrents.waitForMetadata(h, 1)).resolves.toBe(meta);
  });

  test('waitForMetadata of an unknown torrent is NOT_FOUND', () => {
    const { torrents } = setup();
    expect(() => torrents.waitForMetadata(hash(5))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('the retry rule', () => {
  async function failedTorrent() {
    const ctx = setup({ maxRetries: 0 });
    const h = hash(6);
    ctx.torrents.add({ infoHash: h, trackers: [] });
    await ctx.clock.advance(TIMEOUT);
    expect(ctx.torrents.get(h)).toMatchObject({
      status: 'failed',
      error: 'No peers found: no metadata after 1 attempt of 10 s',
    });
    return { ...ctx, h };
  }

  test('add() of a failed torrent starts it afresh, with the new input', async () => {
    const { engine, torrents, storage, clock, h } = await failedTorrent();
    await clock.advance(500);
    const view = torrents.add({ infoHash: h, name: 'Second try', trackers: ['udp://tracker.example:1337'] });
    expect(view).toMatchObject({
      status: 'connecting',
      name: 'Second try',
      addedAt: new Date(T0 + TIMEOUT + 500).toISOString(),
    });
    expect(view.error).toBeUndefined();
    expect(engine.adds).toHaveLength(2);
    expect(engine.adds[1]!.source).toEqual({
      kind: 'magnet',
      infoHash: h,
      magnetUri: `magnet:?xt=urn:btih:${h}&dn=Second%20try&tr=${encodeURIComponent('udp://tracker.example:1337')}`,
    });
    expect(storage.released).toEqual([h, h]); // once on failure, once when the failed one is forgotten
  });

  test('add() of a .torrent file hands its bytes to the engine', () => {
    const { engine, torrents } = setup();
    const data = new Uint8Array([1, 2, 3]);
    torrents.add({ infoHash: hash(7), trackers: [], torrentFile: data });
    expect(engine.adds[0]!.source).toEqual({ kind: 'torrent-file', infoHash: hash(7), data });
  });

  test('add() of a live torrent with nothing new returns it without a second engine add', async () => {
    const { engine, torrents } = setup();
    torrents.add({ infoHash: hash(8), trackers: ['udp://other:1'] });
    torrents.add({ infoHash: hash(8), trackers: ['udp://other:1'] });
    await settle();
    expect(engine.adds).toHaveLength(1);
    expect(torrents.list()).toHaveLength(1);
  });

  test('openFile() of a failed torrent does not restart it and rejects with TORRENT_FAILED', async () => {
    const { engine, torrents, clock, h } = await failedTorrent();
    await expect(torrents.openFile(h, 0, 'stream')).rejects.toMatchObject({ code: 'TORRENT_FAILED' });
    await clock.advance(60_000);
    expect(engine.adds).toHaveLength(1);
    expect(torrents.get(h)).toMatchObject({ status: 'failed' });
  });
});

describe('sources merge: a later add reaches a running torrent', () => {
  const TRACKER = 'http://127.0.0.1:1/announce';
  const SEED = 'http://127.0.0.1:2/files/';

  test('a magnet with trackers restarts a hash-only metadata wait at once, with them, and the reader gets the file', async () => {
    const { engine, torrents, clock } = setup({ maxRetries: 0 });
    const h = hash(20);
    const reading = outcome(torrents.openFile(h, undefined, 'stream'));
    await clock.advance(3000);
    torrents.add({
      infoHash: h,
      name: 'Movie',
      trackers: [TRACKER],
      webSeeds: [SEED],
      magnetUri: `magnet:?xt=urn:btih:${h}`,
    });
    await settle();
    expect(engine.adds).toHaveLength(2);
    expect(engine.removes).toEqual([{ infoHash: h, deleteFiles: false, at: T0 + 3000 }]);
    expect(engine.adds[1]!.source).toEqual({
      kind: 'magnet',
      infoHash: h,
      magnetUri: `magnet:?xt=urn:btih:${h}`,
      trackers: [TRACKER],
      webSeeds: [SEED],
    });
    expect(torrents.get(h)).toMatchObject({ name: 'Movie', status: 'connecting' });
    await clock.advance(1000);
    engine.last(h).resolve(movie(h));
    await settle();
    expect(reading.settled).toBe(true);
    expect(reading.error).toBeUndefined();
    expect(reading.value).toMatchObject({ fileIndex: 1 });
  });

  test('the restarted attempt gets a full timeout of its own and is not counted as a failed one', async () => {
    const { engine, torrents, clock } = setup({ maxRetries: 0 });
    const h = hash(25);
    torrents.add({ infoHash: h, trackers: [] });
    await clock.advance(3000);
    torrents.add({ infoHash: h, trackers: [TRACKER] });
    await settle();
    await clock.advance(TIMEOUT - 1);
    expect(torrents.get(h)!.status).toBe('connecting');
    await clock.advance(1);
    expect(torrents.get(h)).toMatchObject({ status: 'failed' });
    expect(engine.adds).toHaveLength(2);
  });

  test('a .torrent for a torrent waiting on a magnet replaces the magnet: its metadata needs no peer', async () => {
    const { engine, torrents } = setup();
    const h = hash(21);
    torrents.add({ infoHash: h, trackers: [TRACKER] });
    const data = new Uint8Array([100, 101]);
    torrents.add({ infoHash: h, trackers: [TRACKER], torrentFile: data });
    await settle();
    expect(engine.adds.map((a) => a.source)).toEqual([
      { kind: 'magnet', infoHash: h, magnetUri: `magnet:?xt=urn:btih:${h}&tr=${encodeURIComponent(TRACKER)}` },
      { kind: 'torrent-file', infoHash: h, data, trackers: [TRACKER], webSeeds: [] },
    ]);
  });

  test('new sources during a retry backoff end the backoff early', async () => {
    const { engine, torrents, clock } = setup({ maxRetries: 2 });
    const h = hash(22);
    torrents.add({ infoHash: h, trackers: [] });
    await clock.advance(TIMEOUT);
    expect(clock.pending()).toEqual([{ due: T0 + TIMEOUT + 1000, ms: 1000 }]);
    torrents.add({ infoHash: h, trackers: [TRACKER] });
    await settle();
    expect(engine.addTimes()).toEqual([T0, T0 + TIMEOUT]);
    expect(engine.adds[1]!.source.trackers).toEqual([TRACKER]);
  });

  test('after the metadata, new web seeds are added to the running torrent; nothing restarts', async () => {
    const { engine, torrents } = setup();
    const h = hash(23);
    torrents.add({ infoHash: h, trackers: [] });
    await settle();
    engine.last(h).resolve(movie(h));
    await torrents.waitForMetadata(h);
    torrents.add({ infoHash: h, trackers: [TRACKER], webSeeds: [SEED] });
    torrents.add({ infoHash: h, trackers: [], webSeeds: [SEED] });
    await settle();
    expect(engine.adds).toHaveLength(1);
    expect(engine.last(h).webSeeds).toEqual([SEED]);
  });

  test('a failed torrent learns nothing from a stream request (the retry rule), but an API add starts it afresh', async () => {
    const { engine, torrents, clock } = setup();
    const h = hash(24);
    torrents.add({ infoHash: h, trackers: [] });
    await clock.advance(TIMEOUT);
    expect(torrents.get(h)!.status).toBe('failed');
    await expect(torrents.openFile(h, 0, 'stream')).rejects.toMatchObject({ code: 'TORRENT_FAILED' });
    expect(engine.adds).toHaveLength(1);
  });
});

describe('openFile', () => {
  async function opened(
    fileIndex: number | undefined,
    before: (t: ReturnType<FakeEngine['last']>) => void = () => undefined,
  ) {
    const ctx = setup();
    const h = hash(10);
    ctx.engine.script = (t) => {
      before(t);
    };
    const pending = ctx.torrents.openFile(h, fileIndex, 'stream');
    await settle();
    ctx.engine.last(h).resolve(movie(h));
    return { ...ctx, h, result: await pending, torrent: ctx.engine.last(h) };
  }

  test('an unknown hash is started from a magnet, and the default file (largest video) is reserved, wanted and prebuffered', async () => {
    const { engine, storage, h, result, torrent, torrents } = await opened(undefined);
    expect(engine.adds.map((a) => a.source)).toEqual([
      { kind: 'magnet', infoHash: h, magnetUri: `magnet:?xt=urn:btih:${h}` },
    ]);
    expect(result).toMatchObject({
      fileIndex: 1,
      file: { index: 1, name: 'movie.mkv', length: 5000 },
      addedAt: T0,
      finishedPath: undefined,
    });
    expect(result.meta).toBe(torrent.meta());
    expect(storage.reserved).toEqual([[h, 1, 5000]]); // the larger disc.iso is not a video
    expect(torrent.wanted).toEqual([1]);
    expect(torrent.prebuffered).toEqual([1]);
    expect([...torrents.wantedFiles(h)]).toEqual([1]);
    expect(torrents.get(h)).toMatchObject({ name: 'Movie', status: 'connecting', progress: '0.00' });
  });

  test('reads go through the engine for the opened file and range', async () => {
    const { result, torrent } = await opened(2);
    const chunks: Buffer[] = [];
    for await (const chunk of result.createReadStream({ start: 100, end: 109 })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(fileBytes(2, 3000).subarray(100, 110));
    expect(torrent.reads).toEqual([{ index: 2, range: { start: 100, end: 109 } }]);
  });

  test('another file is reserved and wanted too; a non-video is not prebuffered', async () => {
    const { storage, h, torrent, torrents } = await opened(2);
    expect(storage.reserved).toEqual([
      [h, 1, 5000],
      [h, 2, 3000],
    ]);
    expect(torrent.wanted).toEqual([1, 2]);
    expect(torrent.prebuffered).toEqual([2]);

    const text = await torrents.openFile(h, 0, 'stream');
    expect(text.file.name).toBe('readme.txt');
    expect(torrent.prebuffered).toEqual([2]);
    expect(torrent.wanted).toEqual([1, 2, 0]);

    await torrents.openFile(h, 2, 'stream'); // already wanted: no second reservation
    expect(storage.reserved).toHaveLength(3);
    expect(torrent.wanted).toEqual([1, 2, 0]);
    expect(torrent.prebuffered).toEqual([2, 2]); // still unfinished: its head and tail again
  });

  test('a finished file is neither reserved nor prebuffered, and comes with its path on disk', async () => {
    const { storage, h, result, torrent } = await opened(2, (t) => {
      t.markDone(2);
      t.setFilePath(2, '/dl/Movie/extra.mp4');
    });
    expect(result.finishedPath).toBe('/dl/Movie/extra.mp4');
    expect(storage.reserved).toEqual([[h, 1, 5000]]);
    expect(torrent.wanted).toEqual([1, 2]);
    expect(torrent.prebuffered).toEqual([]);
  });

  test('a file index the torrent lacks is FILE_NOT_FOUND', async () => {
    const { torrents, h } = await opened(undefined);
    await expect(torrents.openFile(h, 9, 'stream')).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: `File index 9 does not exist; torrent ${h} has 4 file(s)`,
    });
    await expect(torrents.openFile(h, -1, 'stream')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  test('a torrent without metadata in time is METADATA_TIMEOUT for the reader', async () => {
    const { clock, torrents } = setup({ maxRetries: 3 });
    const open = outcome(torrents.openFile(hash(11), undefined, 'stream'));
    await clock.advance(TIMEOUT);
    expect(open.error).toMatchObject({ code: 'METADATA_TIMEOUT' });
    expect(torrents.get(hash(11))).toMatchObject({ status: 'connecting' }); // still trying
  });

  test('the storage guard refusing a file propagates, and the file is not wanted', async () => {
    const clock = new FakeClock(T0);
    const engine = new FakeEngine(clock);
    const torrents = new TorrentService(engine, clock, { timeoutMs: TIMEOUT, maxRetries: 0 }, silentLogger);
    const storage = recordingGuard((_h, index) => index === 2);
    torrents.setStorageGuard(storage.guard);
    const h = hash(12);
    engine.script = (t) => t.resolve(movie(h));

    await expect(torrents.openFile(h, 2, 'stream')).rejects.toMatchObject({
      code: 'INSUFFICIENT_STORAGE',
      message: `no room for ${h}/2`,
    });
    expect(engine.last(h).wanted).toEqual([1]);
    expect([...torrents.wantedFiles(h)]).toEqual([1]);
  });

  test('the storage guard refusing the default video fails the torrent with that reason', async () => {
    const clock = new FakeClock(T0);
    const engine = new FakeEngine(clock);
    const torrents = new TorrentService(engine, clock, { timeoutMs: TIMEOUT, maxRetries: 3 }, silentLogger);
    torrents.setStorageGuard(recordingGuard((_h, index) => index === 1).guard);
    const h = hash(13);
    engine.script = (t) => t.resolve(movie(h));

    await expect(torrents.openFile(h, undefined, 'stream')).rejects.toMatchObject({ code: 'INSUFFICIENT_STORAGE' });
    expect(torrents.get(h)).toMatchObject({ status: 'failed', error: `no room for ${h}/1` });
    expect(engine.adds).toHaveLength(1);
    expect(engine.removes).toEqual([{ infoHash: h, deleteFiles: false, at: T0 }]);
  });
});

describe('idle torrents', () => {
  const IDLE = 60_000;

  test('stopIdle stops only stream-started, unread, unfinished torrents', async () => {
    const { clock, engine, torrents, storage } = setup();
    engine.script = (t) => t.resolve(movie(t.infoHash));
    const [idle, api, adopted, released, complete, reading] = [20, 21, 22, 23, 24, 25].map(hash) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];

    await torrents.openFile(idle, undefined, 'stream');
    torrents.add({ infoHash: api, trackers: [] });
    await torrents.openFile(adopted, undefined, 'stream');
    torrents.add({ infoHash: adopted, trackers: [] }); // the user added what a player started
    const reader = await torrents.openFile(released, undefined, 'stream');
    await torrents.openFile(complete, undefined, 'stream');
    engine.last(complete).finishFile(1);
    await torrents.openFile(reading, undefined, 'stream');
    engine.last(reading).setTransfer({ openStreams: 1 });

    await clock.advance(IDLE - 10_000);
    reader.release();
    await clock.advance(10_000);
    expect(torrents.get(complete)).toMatchObject({ status: 'complete' });

    expect(await torrents.stopIdle(IDLE)).toEqual([idle]);
    expect(engine.removes).toEqual([{ infoHash: idle, deleteFiles: false, at: T0 + IDLE }]);
    expect(storage.released).toEqual([idle]);
    expect(torrents.has(idle)).toBe(false);
    expect(
      torrents
        .list()
        .map((v) => v.infoHash)
        .sort(),
    ).toEqual([api, adopted, released, complete, reading].sort());

    await clock.advance(IDLE - 10_000); // the released reader's minute is up now
    expect(await torrents.stopIdle(IDLE)).toEqual([released]);
    expect(await torrents.stopIdle(0)).toEqual([]);
  });

  test('idle time counts from the last activity, to the millisecond', async () => {
    const { clock, engine, torrents } = setup();
    engine.script = (t) => t.resolve(movie(t.infoHash));
    await torrents.openFile(hash(26), undefined, 'stream');
    await clock.advance(IDLE - 1);
    expect(await torrents.stopIdle(IDLE)).toEqual([]);
    await torrents.openFile(hash(26), 2, 'stream'); // a new read is activity too
    await clock.advance(IDLE - 1);
    expect(await torrents.stopIdle(IDLE)).toEqual([]);
    await clock.advance(1);
    expect(await torrents.stopIdle(IDLE)).toEqual([hash(26)]);
  });
});

test('file-done listeners get the event; one that throws does not stop the others', async () => {
  const logs: Array<{ msg: string; infoHash?: string }> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const { engine, torrents } = setup({}, pino({ level: 'error' }, sink));
  const h = hash(30);
  const events: unknown[] = [];
  const calls: string[] = [];
  torrents.onFileDone(() => {
    calls.push('first');
    throw new Error('listener broke');
  });
  torrents.onFileDone((e) => {
    calls.push('second');
    events.push(e);
  });
  engine.script = (t) => t.markDone(0); // already done when metadata arrives: reported at once

  torrents.add({ infoHash: h, trackers: [] });
  const meta = movie(h);
  engine.last(h).resolve(meta);
  await torrents.waitForMetadata(h);
  expect(events).toEqual([{ infoHash: h, fileIndex: 0, meta, path: '/dl/Movie/readme.txt' }]);

  engine.last(h).finishFile(1);
  expect(events).toEqual([
    { infoHash: h, fileIndex: 0, meta, path: '/dl/Movie/readme.txt' },
    { infoHash: h, fileIndex: 1, meta, path: '/dl/Movie/movie.mkv' },
  ]);
  expect(calls).toEqual(['first', 'second', 'first', 'second']);
  await settle();
  expect(logs.filter((l) => l.msg === 'file-done listener failed').map((l) => l.infoHash)).toEqual([h, h]);
});

describe('list, remove, shutdown', () => {
  test('list() is newest first; stats() counts live torrents', async () => {
    const { clock, engine, torrents } = setup();
    torrents.add({ infoHash: hash(40), name: 'A', trackers: [] });
    await clock.advance(1000);
    torrents.add({ infoHash: hash(41), name: 'B', trackers: [] });
    await clock.advance(1000);
    torrents.add({ infoHash: hash(42), name: 'C', trackers: [] });
    expect(torrents.list().map((v) => [v.name, v.addedAt])).toEqual([
      ['C', new Date(T0 + 2000).toISOString()],
      ['B', new Date(T0 + 1000).toISOString()],
      ['A', new Date(T0).toISOString()],
    ]);
    engine.engineStats = { downloadSpeed: 7, uploadSpeed: 3, dht: { enabled: true, nodes: 12 } };
    expect(torrents.stats()).toEqual({
      downloadSpeed: 7,
      uploadSpeed: 3,
      dht: { enabled: true, nodes: 12 },
      activeTorrents: 3,
    });
  });

  test('remove() forgets the torrent and removes it from the engine', async () => {
    const { engine, torrents, storage } = setup();
    torrents.add({ infoHash: hash(43), trackers: [] });
    torrents.add({ infoHash: hash(44), trackers: [] });
    await torrents.remove(hash(43), true);
    expect(torrents.has(hash(43))).toBe(false);
    expect(torrents.get(hash(43))).toBeUndefined();
    expect(torrents.list().map((v) => v.infoHash)).toEqual([hash(44)]);
    expect(engine.removes).toEqual([{ infoHash: hash(43), deleteFiles: true, at: T0 }]);
    expect(storage.released).toEqual([hash(43)]);
    expect(torrents.stats().activeTorrents).toBe(1);
  });

  test('remove() during an attempt: a waiting reader gets TORRENT_FAILED and no attempt follows', async () => {
    const { clock, engine, torrents } = setup({ maxRetries: 3 });
    const h = hash(45);
    const open = outcome(torrents.openFile(h, undefined, 'stream'));
    await clock.advance(TIMEOUT / 2);
    await torrents.remove(h, false);
    await settle();
    expect(open.error).toMatchObject({ code: 'TORRENT_FAILED' });
    await clock.advance(10 * TIMEOUT);
    expect(engine.adds).toHaveLength(1);
    expect(clock.pending()).toEqual([]);
  });

  // Found by this test: the backoff's abort reason (a DOMException, not a DomainError) used to become the
  // metadata failure, and whoever waited for metadata then got a 500 instead of TORRENT_FAILED.
  test('remove() during a backoff: a waiting caller gets TORRENT_FAILED too', async () => {
    const { clock, torrents } = setup({ maxRetries: 3 });
    const h = hash(46);
    torrents.add({ infoHash: h, trackers: [] });
    await clock.advance(TIMEOUT); // attempt 1 timed out; the 1 s backoff runs
    expect(clock.pending()).toEqual([{ due: T0 + TIMEOUT + 1000, ms: 1000 }]);
    const waiting = outcome(torrents.waitForMetadata(h));
    await torrents.remove(h, false);
    await settle();
    expect(waiting.error).toBeInstanceOf(DomainError);
    expect(waiting.error).toMatchObject({ code: 'TORRENT_FAILED' });
  });

  test('shutdown() aborts pending backoffs: no engine add afterwards, whatever the clock does', async () => {
    const { clock, engine, torrents } = setup({ maxRetries: 3 });
    torrents.add({ infoHash: hash(47), trackers: [] });
    torrents.add({ infoHash: hash(48), trackers: [] });
    await clock.advance(TIMEOUT); // both attempts timed out; both wait 1 s before the next
    expect(clock.pending()).toEqual([
      { due: T0 + TIMEOUT + 1000, ms: 1000 },
      { due: T0 + TIMEOUT + 1000, ms: 1000 },
    ]);
    await torrents.shutdown();
    expect(engine.destroyed).toBe(true);
    expect(clock.pending()).toEqual([]);
    await clock.advance(10 * 60_000);
    expect(engine.adds).toHaveLength(2);
    expect(torrents.list()).toEqual([]);
  });
});

describe('TORRENT_MAX_ACTIVE', () => {
  test('the next new torrent past the cap is refused with TOO_MANY_TORRENTS; re-adding, failed ones and freed slots do not count', async () => {
    const { clock, torrents } = setup({ maxActive: 2 });
    torrents.add({ infoHash: hash(60), trackers: [] });
    torrents.add({ infoHash: hash(61), trackers: [] });
    expect(() => torrents.add({ infoHash: hash(62), trackers: [] })).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_TORRENTS', message: expect.stringContaining('TORRENT_MAX_ACTIVE=2') }),
    );
    await expect(torrents.openFile(hash(63), undefined, 'stream')).rejects.toMatchObject({ code: 'TOO_MANY_TORRENTS' });
    expect(torrents.add({ infoHash: hash(61), trackers: [] }).infoHash).toBe(hash(61)); // already there: fine
    await clock.advance(TIMEOUT); // both time out (maxRetries 0) and fail
    expect(torrents.list().map((t) => t.status)).toEqual(['failed', 'failed']);
    expect(torrents.add({ infoHash: hash(62), trackers: [] }).status).toBe('connecting');
    await torrents.remove(hash(60), false);
    expect(torrents.add({ infoHash: hash(64), trackers: [] }).status).toBe('connecting');
  });
});

test('a dead engine: adds answer ENGINE_UNAVAILABLE naming the cause, and engineFailure() says why for /health', () => {
  const { engine, torrents } = setup();
  expect(torrents.engineFailure()).toBeUndefined();
  engine.diedOf = 'TORRENT_PORT 6881 is in use: set TORRENT_PORT=0 for any free port, or free it';
  expect(torrents.engineFailure()).toBe(engine.diedOf);
  expect(() => torrents.add({ infoHash: hash(70), trackers: [] })).toThrow(
    expect.objectContaining({
      code: 'ENGINE_UNAVAILABLE',
      message: expect.stringContaining('TORRENT_PORT 6881 is in use'),
    }),
  );
});
