import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PooledFileStore } from '../../src/adapters/node-file-store.js';

// The cached-file store on a real disk: byte-exact ranges through one shared descriptor per hot
// file, descriptors closed once idle, a missing file an error (not a hang), retried next time.

const MIB = 1024 * 1024;

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const openFds = async () => (await readdir('/proc/self/fd')).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PooledFileStore', () => {
  let dir: string;
  let file: string;
  let data: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tss-pool-'));
    file = path.join(dir, 'movie.mkv');
    data = randomBytes(3 * MIB + 12_345);
    await writeFile(file, data);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each([
    [0, 0],
    [0, 65_535],
    [MIB - 1, MIB],
    [123, 3 * MIB + 12_344],
    [3 * MIB + 12_344, 3 * MIB + 12_344],
  ])('bytes %i-%i are exact', async (start, end) => {
    const store = new PooledFileStore(50);
    expect((await collect(store.open(file, { start, end }))).equals(data.subarray(start, end + 1))).toBe(true);
    store.closeAll();
  });

  test('read() returns a range in one buffer, byte-exact, through the same pooled descriptor', async () => {
    const store = new PooledFileStore(100);
    const before = await openFds();
    const got = await Promise.all([
      store.read(file, { start: 5, end: 65_540 }),
      store.read(file, { start: 2 * MIB, end: 3 * MIB }),
    ]);
    expect(got[0]!.equals(data.subarray(5, 65_541))).toBe(true);
    expect(got[1]!.equals(data.subarray(2 * MIB, 3 * MIB + 1))).toBe(true);
    expect(await openFds()).toBe(before + 1);
    await expect(store.read(file, { start: data.length - 1, end: data.length + 5 })).rejects.toThrow(/ended at byte/);
    await expect(store.read(path.join(dir, 'nope'), { start: 0, end: 1 })).rejects.toMatchObject({ code: 'ENOENT' });
    await sleep(250);
    expect(await openFds()).toBe(before);
  });

  test('concurrent readers share one descriptor, which closes once they are all done and idle', async () => {
    const store = new PooledFileStore(100);
    const before = await openFds();
    const reads = Array.from({ length: 20 }, (_, i) => {
      const start = i * 100_000;
      return collect(store.open(file, { start, end: start + 99_999 })).then((got) =>
        expect(got.equals(data.subarray(start, start + 100_000))).toBe(true),
      );
    });
    await Promise.all(reads);
    expect(await openFds()).toBe(before + 1);
    await sleep(250);
    expect(await openFds()).toBe(before);
  });

  test('a reader destroyed half-way releases the file too', async () => {
    const store = new PooledFileStore(50);
    const before = await openFds();
    const stream = store.open(file, { start: 0, end: data.length - 1 });
    await new Promise((resolve) => stream.once('data', resolve));
    stream.destroy();
    await sleep(200);
    expect(await openFds()).toBe(before);
  });

  test('a missing file fails the stream with ENOENT; once it exists, the next open works', async () => {
    const store = new PooledFileStore(50);
    const later = path.join(dir, 'later.bin');
    await expect(collect(store.open(later, { start: 0, end: 9 }))).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(later, Buffer.from('0123456789'));
    expect((await collect(store.open(later, { start: 2, end: 5 }))).toString()).toBe('2345');
    store.closeAll();
  });

  test('small reads of an open file run on the event loop, until one is slow: then the threadpool', async () => {
    const fast = new PooledFileStore(50);
    await fast.read(file, { start: 0, end: 9 }); // opens the file: through the threadpool
    expect(fast.loopReads).toBe(0);
    const small = await fast.read(file, { start: MIB + 3, end: MIB + 3 + 65_535 });
    expect(small.equals(data.subarray(MIB + 3, MIB + 3 + 65_536))).toBe(true);
    expect(fast.loopReads).toBe(1);
    const large = await fast.read(file, { start: 0, end: MIB - 1 }); // past 256 KiB: never on the loop
    expect(large.equals(data.subarray(0, MIB))).toBe(true);
    expect(fast.loopReads).toBe(1);
    fast.closeAll();

    const slow = new PooledFileStore(50, 256, -1); // every read on the loop counts as slow (went to the disk)
    await slow.read(file, { start: 0, end: 9 });
    await slow.read(file, { start: 10, end: 19 }); // on the loop, "slow": the next ones are paused
    const after = await slow.read(file, { start: 20, end: 65_555 });
    expect(after.equals(data.subarray(20, 65_556))).toBe(true);
    expect(slow.loopReads).toBe(1);
    slow.closeAll();
  });

  test('a file shorter than the range asked fails the stream instead of waiting forever', async () => {
    const store = new PooledFileStore(50);
    await expect(collect(store.open(file, { start: data.length - 10, end: data.length + 10 }))).rejects.toThrow(
      /ended at byte/,
    );
    store.closeAll();
  });
});
