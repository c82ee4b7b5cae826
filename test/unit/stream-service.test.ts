import { Readable } from 'node:stream';
import { DomainError } from '../../src/domain/errors.js';
import type { ByteRange } from '../../src/domain/range.js';
import type { FileStore } from '../../src/ports/file-store.js';
import { StreamService, type CachedFile, type CachedFileLookup } from '../../src/services/stream.service.js';
import type { OpenedTorrentFile, TorrentService } from '../../src/services/torrent.service.js';
import { fileBytes, torrentMeta } from '../fixtures/fake-engine.js';

// Where StreamService finds a file's bytes (cache, finished file of a live torrent, the engine),
// with strict fakes: every call is recorded, and a call nobody expected throws.
const HASH = 'ab'.repeat(20);
const ADDED_AT = 1_700_000_123_456; // Last-Modified drops the 456 ms

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function recordingFiles() {
  const opened: Array<{ path: string; range: ByteRange }> = [];
  const files: FileStore = {
    open: (path, range) => {
      opened.push({ path, range: { ...range } });
      return Readable.from([Buffer.from(`${path}:${range.start}-${range.end}`)]);
    },
    read: async (path, range) => {
      opened.push({ path, range: { ...range } });
      return Buffer.from(`${path}:${range.start}-${range.end}`);
    },
  };
  return { files, opened };
}

function recordingCache(hit?: Omit<CachedFile, 'release'>) {
  const calls = {
    acquire: [] as Array<[string, number | undefined]>,
    lease: [] as Array<[string, number]>,
    cacheReleases: 0,
    leaseReleases: 0,
  };
  const cache: CachedFileLookup = {
    acquire: async (infoHash, fileIndex) => {
      calls.acquire.push([infoHash, fileIndex]);
      return (
        hit && {
          ...hit,
          release: () => {
            calls.cacheReleases++;
          },
        }
      );
    },
    lease: (infoHash, fileIndex) => {
      calls.lease.push([infoHash, fileIndex]);
      return () => {
        calls.leaseReleases++;
      };
    },
  };
  return { cache, calls };
}

type Torrents = Pick<TorrentService, 'openFile'>;
const unexpectedTorrents: Torrents = {
  openFile: async (infoHash) => {
    throw new Error(`openFile(${infoHash}) was not expected`);
  },
};

/** A TorrentService whose openFile hands out `fileIndex` (or the default, 1) of a three-file torrent. */
function fakeTorrents(opts: { finishedPath?: string; defaultIndex?: number } = {}) {
  const meta = torrentMeta(HASH, 'Show', [
    ['info.nfo', 100],
    ['episode.mkv', 8000],
    ['clip.mp4', 2000],
  ]);
  const calls = { openFile: [] as Array<[string, number | undefined, string]>, reads: [] as ByteRange[], releases: 0 };
  const torrents: Torrents = {
    openFile: async (infoHash, fileIndex, origin) => {
      calls.openFile.push([infoHash, fileIndex, origin]);
      const index = fileIndex ?? opts.defaultIndex ?? 1;
      const file = meta.files[index];
      if (!file) throw new DomainError('FILE_NOT_FOUND', `no file ${index}`);
      const opened: OpenedTorrentFile = {
        meta,
        fileIndex: index,
        file,
        addedAt: ADDED_AT,
        finishedPath: opts.finishedPath,
        createReadStream: (range) => {
          calls.reads.push({ ...range });
          return Readable.from([fileBytes(index, file.length).subarray(range.start, range.end + 1)]);
        },
        release: () => {
          calls.releases++;
        },
      };
      return opened;
    },
  };
  return { torrents, calls };
}

test('a cache hit is served from the file store and never touches the torrent', async () => {
  const { cache, calls } = recordingCache({
    fileIndex: 2,
    fileName: 'clip.mp4',
    size: 2000,
    absolutePath: '/cache/Show/clip.mp4',
    createdAt: ADDED_AT,
  });
  const { files, opened } = recordingFiles();
  const service = new StreamService(unexpectedTorrents, cache, files);

  const target = await service.resolve(HASH, undefined);
  expect(calls.acquire).toEqual([[HASH, undefined]]);
  expect(target).toMatchObject({
    infoHash: HASH,
    fileIndex: 2,
    fileName: 'clip.mp4',
    size: 2000,
    source: 'cache',
    contentType: 'video/mp4',
    etag: `"${HASH}-2-2000"`,
  });
  expect(target.lastModified.getTime()).toBe(1_700_000_123_000);

  expect((await read(target.open({ start: 10, end: 19 }))).toString()).toBe('/cache/Show/clip.mp4:10-19');
  expect(opened).toEqual([{ path: '/cache/Show/clip.mp4', range: { start: 10, end: 19 } }]);
  expect(calls.lease).toEqual([]); // the hit's own lease covers it

  target.release();
  target.release();
  expect(calls.cacheReleases).toBe(1);
});

test('a miss opens the torrent file for a stream, and an unfinished file reads through the engine', async () => {
  const { cache, calls: cacheCalls } = recordingCache();
  const { files, opened } = recordingFiles();
  const { torrents, calls } = fakeTorrents();
  const service = new StreamService(torrents, cache, files);

  const target = await service.resolve(HASH, undefined);
  expect(cacheCalls.acquire).toEqual([[HASH, undefined]]);
  expect(calls.openFile).toEqual([[HASH, undefined, 'stream']]);
  expect(cacheCalls.lease).toEqual([[HASH, 1]]); // the file the torrent picked, not the one asked for
  expect(target).toMatchObject({
    infoHash: HASH,
    fileIndex: 1,
    fileName: 'episode.mkv',
    size: 8000,
    source: 'torrent',
    contentType: 'video/x-matroska',
    etag: `"${HASH}-1-8000"`,
  });
  expect(target.lastModified).toEqual(new Date(1_700_000_123_000));

  expect(await read(target.open({ start: 4000, end: 4099 }))).toEqual(fileBytes(1, 8000).subarray(4000, 4100));
  expect(calls.reads).toEqual([{ start: 4000, end: 4099 }]);
  expect(opened).toEqual([]);

  target.release();
  target.release();
  expect(cacheCalls.leaseReleases).toBe(1);
  expect(calls.releases).toBe(1);
});

test('a finished file of a live torrent is served from disk, holding a lease on it', async () => {
  const { cache, calls: cacheCalls } = recordingCache();
  const { files, opened } = recordingFiles();
  const { torrents, calls } = fakeTorrents({ finishedPath: '/dl/Show/info.nfo' });
  const service = new StreamService(torrents, cache, files);

  const target = await service.resolve(HASH, 0);
  expect(calls.openFile).toEqual([[HASH, 0, 'stream']]);
  expect(cacheCalls.lease).toEqual([[HASH, 0]]);
  expect(target).toMatchObject({
    fileIndex: 0,
    fileName: 'info.nfo',
    size: 100,
    source: 'disk',
    contentType: 'text/plain',
    etag: `"${HASH}-0-100"`,
  });
  expect(target.lastModified.toISOString()).toBe('2023-11-14T22:15:23.000Z');

  expect((await read(target.open({ start: 0, end: 99 }))).toString()).toBe('/dl/Show/info.nfo:0-99');
  expect(opened).toEqual([{ path: '/dl/Show/info.nfo', range: { start: 0, end: 99 } }]);
  expect(calls.reads).toEqual([]);

  expect([cacheCalls.leaseReleases, calls.releases]).toEqual([0, 0]);
  target.release();
  target.release();
  expect([cacheCalls.leaseReleases, calls.releases]).toEqual([1, 1]);
});

test('a file the torrent cannot open fails the resolve without taking a lease', async () => {
  const { cache, calls: cacheCalls } = recordingCache();
  const { files } = recordingFiles();
  const { torrents } = fakeTorrents();
  const service = new StreamService(torrents, cache, files);
  await expect(service.resolve(HASH, 7)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: 'no file 7' });
  expect(cacheCalls.lease).toEqual([]);
});

test('a file without a known extension is application/octet-stream', async () => {
  const { cache } = recordingCache({
    fileIndex: 0,
    fileName: 'README',
    size: 5,
    absolutePath: '/cache/README',
    createdAt: 999,
  });
  const target = await new StreamService(unexpectedTorrents, cache, recordingFiles().files).resolve(HASH, 0);
  expect(target).toMatchObject({ contentType: 'application/octet-stream', etag: `"${HASH}-0-5"` });
  expect(target.lastModified.getTime()).toBe(0);
});
