import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error peerflix ships no types
import peerflix from 'peerflix';
import WebTorrent from 'webtorrent';
import { json } from '../../test/fixtures/http.js';
import { startTestServer } from '../../test/fixtures/server.js';
import { LOOPBACK_CLIENT } from '../../test/fixtures/swarm.js';
import { freePort, withTimeout } from './net.js';
import type { Seeder } from './seeder.js';

/** A streaming server that has just been handed the torrent and knows its metadata. */
export interface Opened {
  /** URL of the seeded file on that server. */
  url: string;
  /** From "add this magnet" to "metadata known, ready to serve". */
  metadataMs: number;
  close(): Promise<void>;
}

export interface Contender {
  name: string;
  open(seeder: Seeder): Promise<Opened>;
}

const OPEN_TIMEOUT_MS = 30_000;

/** An info hash nobody seeds: the warm-up add. */
const WARM_UP_HASH = 'f'.repeat(40);

/**
 * Ours: a fresh server and data dir (nothing cached), used the way our users use it: a server that
 * has been running, so an unrelated add and delete first (a cold process's first add compiles its
 * whole path, ~30 ms that a long-running server never pays). POST /api/torrents waits for metadata by
 * default. (peerflix is started per torrent by its users; WebTorrent's client is made before the clock.)
 */
export const ours: Contender = {
  name: 'ours',
  async open(seeder) {
    const server = await startTestServer(process.env.BENCH_OURS_ENV ? JSON.parse(process.env.BENCH_OURS_ENV) : {});
    try {
      const warm = `${server.url}/api/torrents`;
      await json(warm, { method: 'POST', body: { magnetUri: `magnet:?xt=urn:btih:${WARM_UP_HASH}`, wait: false } });
      await json(`${warm}/${WARM_UP_HASH}`, { method: 'DELETE' });
      const began = performance.now();
      const res = await withTimeout(
        json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: seeder.magnetUri } }),
        OPEN_TIMEOUT_MS,
        'POST /api/torrents',
      );
      if (res.status !== 201) throw new Error(`POST /api/torrents answered ${res.status}: ${JSON.stringify(res.body)}`);
      return {
        url: `${server.url}/stream/proxy/${seeder.infoHash}`,
        metadataMs: performance.now() - began,
        close: () => server.stop(),
      };
    } catch (err) {
      await server.stop();
      throw err;
    }
  },
};

interface WebTorrentNodeServer {
  server: Server;
  listen(port: number, host: string, cb: () => void): void;
  close(cb?: () => void): void;
  destroy(cb?: () => void): void;
}

/** webtorrent@2.8.5's own `client.createServer()`: GET /webtorrent/<infoHash>/<file path>. */
export const webtorrentServer: Contender = {
  name: 'webtorrent',
  async open(seeder) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tss-bench-wt-'));
    const client = new WebTorrent({ ...LOOPBACK_CLIENT, torrentPort: 0 });
    client.on('error', () => undefined);
    const http = (client as unknown as { createServer(): WebTorrentNodeServer }).createServer();
    const close = async () => {
      await new Promise<void>((resolve) => http.destroy(() => resolve()));
      await new Promise<void>((resolve) => client.destroy(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const began = performance.now();
      const torrent = client.add(seeder.magnetUri, { path: dir });
      await withTimeout(
        new Promise((resolve) => torrent.once('ready', resolve)),
        OPEN_TIMEOUT_MS,
        'webtorrent metadata',
      );
      return {
        url: `http://127.0.0.1:${port}/webtorrent/${seeder.infoHash}/${encodeURI(seeder.filePath)}`,
        metadataMs: performance.now() - began,
        close,
      };
    } catch (err) {
      await close();
      throw err;
    }
  },
};

interface PeerflixEngine {
  server: Server;
  destroy(cb: () => void): void;
}

/** peerflix (torrent-stream): its HTTP server starts once metadata is in; GET /<file index>. */
export const peerflixServer: Contender = {
  name: 'peerflix',
  async open(seeder) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tss-bench-pf-'));
    const began = performance.now();
    const engine = (peerflix as (id: string, opts: object) => PeerflixEngine)(seeder.magnetUri, {
      dht: false,
      tracker: true,
      path: path.join(dir, 'data'),
      tmp: dir,
      hostname: '127.0.0.1',
      port: 0,
      peerPort: await freePort(),
    });
    const close = async () => {
      engine.server.close();
      engine.server.closeAllConnections();
      await new Promise<void>((resolve) => engine.destroy(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await withTimeout(
        new Promise((resolve) => engine.server.once('listening', resolve)),
        OPEN_TIMEOUT_MS,
        'peerflix metadata',
      );
      const address = engine.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      return { url: `http://127.0.0.1:${port}/0`, metadataMs: performance.now() - began, close };
    } catch (err) {
      await close();
      throw err;
    }
  },
};
