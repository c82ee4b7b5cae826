import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { json } from '../fixtures/http.js';
import { startTestServer } from '../fixtures/server.js';
import { startSwarm } from '../fixtures/swarm.js';

// A peer's very first request (webtorrent asks a peer that has sent nothing yet for one block, to see
// it is useful) goes to the start of what is wanted most, not to the torrent's last piece: on a 40 ms
// swarm that first round trip is the first byte's. And what an earlier run left on disk counts.

test("a new peer's first block is the first wanted piece", async () => {
  const PIECE = 64 * 1024;
  const swarm = await startSwarm({ pieceLength: PIECE });
  const server = await startTestServer();
  try {
    const added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
    expect(added.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pieces = swarm.requests!.map((r) => r.piece);
    expect(pieces.length).toBeGreaterThan(0);
    expect(pieces[0]).toBe(0); // webtorrent's own choice: the torrent's last piece
  } finally {
    await server.stop();
    await swarm.stop();
  }
});

test('a file already on disk is still verified: its pieces count as had, not downloaded again', async () => {
  const swarm = await startSwarm();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tss-resume-'));
  // The video, complete, where an earlier run of the server left it (its index lost).
  const video = swarm.files[0]!;
  const onDisk = path.join(dataDir, 'downloads', swarm.infoHash, swarm.name, ...video.path.split('/'));
  await mkdir(path.dirname(onDisk), { recursive: true });
  await writeFile(onDisk, video.data);
  // Throttled: downloading the video again would take ~12 s.
  const server = await startTestServer({ TORRENT_DOWNLOAD_LIMIT: '2048' }, { dataDir });
  try {
    const added = await json(`${server.url}/api/torrents`, { method: 'POST', body: { magnetUri: swarm.magnetUri } });
    expect(added.status).toBe(201);
    const files = await json(`${server.url}/api/torrents/${swarm.infoHash}/files`);
    expect(Number(files.body.data.files[0].progress)).toBe(100);
  } finally {
    await server.stop();
    await swarm.stop();
  }
});
