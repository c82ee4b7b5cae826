import { fork, type ChildProcess } from 'node:child_process';
import type { SeederReady, SeederRequest } from '../seeder-process.js';
import { withTimeout } from './net.js';
import { benchScript } from './paths.js';

export interface Seeder extends SeederReady {
  /** The file's bytes, to check what every server returns. */
  data: Buffer;
  stop(): Promise<void>;
}

const CHILD = benchScript('seeder-process');

/** Forks bench/seeder-process and waits until it seeds `data` (written beforehand to `dataPath`). */
export async function startSeeder(request: SeederRequest, data: Buffer): Promise<Seeder> {
  const child: ChildProcess = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await withTimeout(
    new Promise<SeederReady>((resolve, reject) => {
      child.once('message', (m: { ready?: SeederReady; error?: string }) =>
        m.ready ? resolve(m.ready) : reject(new Error(m.error)),
      );
      child.once('exit', (code) => reject(new Error(`seeder exited with ${code}`)));
      child.send(request);
    }),
    60_000,
    'starting the seeder',
  );
  return {
    ...ready,
    data,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await withTimeout(exited, 10_000, 'stopping the seeder').catch(() => child.kill('SIGKILL'));
    },
  };
}

/**
 * The same file seeded by libtorrent-rasterbar (test/fixtures/libtorrent-swarm.ts: a tracker in this
 * process, the seeder a Python child), TCP only: a real, non-WebTorrent client on the other end.
 */
export async function startLibtorrentSeeder(request: Omit<SeederRequest, 'dataPath'>, data: Buffer): Promise<Seeder> {
  const { startLibtorrentSwarm } = await import('../../test/fixtures/libtorrent-swarm.js');
  const swarm = await startLibtorrentSwarm({
    name: request.name,
    files: [{ path: request.fileName, data }],
    transport: 'tcp',
  });
  return {
    infoHash: swarm.infoHash,
    magnetUri: swarm.magnetUri,
    trackerUrl: swarm.trackerUrl,
    torrentFile: swarm.torrentFile.toString('base64'),
    filePath: `${request.name}/${request.fileName}`,
    data,
    stop: () => swarm.stop(),
  };
}
