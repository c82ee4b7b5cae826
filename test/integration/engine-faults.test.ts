import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTestServer } from '../fixtures/server.js';

// A taken BitTorrent port: start-up fails with one message saying what to do, instead of a server that
// says "healthy" while every add answers 500 ("client is destroyed").
test('a TORRENT_PORT held by another process stops start-up with a clear message', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, resolve)); // all interfaces, like webtorrent's listen
  const port = (holder.address() as AddressInfo).port;
  try {
    await expect(startTestServer({ TORRENT_PORT: String(port) })).rejects.toThrow(
      `TORRENT_PORT ${port} is in use: set TORRENT_PORT=0 for any free port, or free it`,
    );
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

test('TORRENT_PORT=0 takes any free port and starts', async () => {
  const server = await startTestServer({ TORRENT_PORT: '0' });
  try {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
  } finally {
    await server.stop();
  }
});
