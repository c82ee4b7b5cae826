import path from 'node:path';
import { json, request, waitFor } from '../../test/fixtures/http.js';
import { startTestServer, type TestServer } from '../../test/fixtures/server.js';
import type { Seeder } from './seeder.js';

export interface CachedFixture {
  server: TestServer;
  /** Our stream URL for the file, answered from the cache. */
  url: string;
  /** The finished file on disk (nginx and the plain Node server serve this same file). */
  filePath: string;
  size: number;
}

/**
 * Our real server with the seeded file downloaded through the real path (add, finish, recorded
 * in the SQLite index), then the torrent removed from the engine so every read is a cache hit.
 */
export async function prepareCachedFile(seeder: Seeder, env: Record<string, string> = {}): Promise<CachedFixture> {
  const server = await startTestServer(env);
  try {
    const added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: seeder.magnetUri } });
    if (added.status !== 201) throw new Error(`add failed: ${added.status}`);
    await waitFor(
      async () =>
        (await json(`${server.url}/api/cache/check`, { method: 'POST', body: { infoHashes: [seeder.infoHash] } })).body
          .data[0].cached,
      60_000,
      'the file to be cached',
    );
    await json(`${server.url}/api/torrents/${seeder.infoHash}`, { method: 'DELETE' });
    const cached = await json(`${server.url}/api/torrents/${seeder.infoHash}`);
    const file = cached.body.data?.files?.[0] as { path: string; length: number } | undefined;
    if (!cached.body.data?.cached || !file) throw new Error('no cache entry');
    const url = `${server.url}/stream/proxy/${seeder.infoHash}`;
    const probe = await request(url, { headers: { Range: 'bytes=1000-1999' } });
    if (probe.headers['x-stream-source'] !== 'cache' || !probe.body.equals(seeder.data.subarray(1000, 2000))) {
      throw new Error(`expected a cache hit, got ${probe.status} from ${String(probe.headers['x-stream-source'])}`);
    }
    return {
      server,
      url,
      filePath: path.join(server.downloadDir, seeder.infoHash, ...file.path.split('/')),
      size: file.length,
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
