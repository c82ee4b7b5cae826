import { readFile } from 'node:fs/promises';
import { startSwarm, type Swarm } from '../test/fixtures/swarm.js';

// Child process: one loopback tracker + seeding WebTorrent client (test/fixtures/swarm.ts), kept
// out of the benchmark's process so the seeder does not share an event loop with the server measured.
export interface SeederRequest {
  name: string;
  fileName: string;
  dataPath: string;
}
export interface SeederReady {
  infoHash: string;
  magnetUri: string;
  trackerUrl: string;
  torrentFile: string;
  filePath: string;
}

let swarm: Swarm | undefined;

process.once('message', async (msg: SeederRequest) => {
  try {
    const data = await readFile(msg.dataPath);
    swarm = await startSwarm({ name: msg.name, files: [{ path: msg.fileName, data }] });
    const ready: SeederReady = {
      infoHash: swarm.infoHash,
      magnetUri: swarm.magnetUri,
      trackerUrl: swarm.trackerUrl,
      torrentFile: swarm.torrentFile.toString('base64'),
      filePath: `${msg.name}/${msg.fileName}`,
    };
    process.send?.({ ready });
  } catch (err) {
    process.send?.({ error: String((err as Error).stack ?? err) });
    process.exit(1);
  }
  process.on('message', async (m: unknown) => {
    if (m !== 'stop') return;
    await swarm?.stop();
    process.exit(0);
  });
});

process.on('disconnect', () => process.exit(0)); // the parent died: never outlive it
