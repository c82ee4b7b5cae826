import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// The real tss CLI (bin/tss.js, a child process) against the real server on port 0 with a real
// loopback swarm; the Kodi it asks to play is a small JSON-RPC server of this test.
const TSS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/tss.js');
const ADMIN = 'admin-token-0123456789abcdef';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let swarm: Swarm;
let server: TestServer;
let kodi: Server;
const kodiCalls: Array<{ method: string; params?: any }> = [];
let kodiUrl: string;

const tss = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSS, ...args],
      { env: { PATH: process.env.PATH ?? '', TSS_URL: server.url, TSS_TOKEN: ADMIN, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

beforeAll(async () => {
  kodi = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const call = JSON.parse(body) as { id: number; method: string; params?: unknown };
      kodiCalls.push({ method: call.method, params: call.params });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id: call.id, result: call.method === 'JSONRPC.Ping' ? 'pong' : 'OK' }));
    });
  });
  await new Promise<void>((resolve) => kodi.listen(0, '127.0.0.1', resolve));
  const address = kodi.address() as { port: number };
  kodiUrl = `http://127.0.0.1:${address.port}`;
  swarm = await startSwarm();
  server = await startTestServer({
    API_TOKEN: ADMIN,
    TORRENT_TRACKERS: swarm.trackerUrl,
    KODI_URL: kodiUrl,
    FETCH_ALLOW_PRIVATE: 'true',
  });
});

afterAll(async () => {
  await server?.stop();
  await swarm?.stop();
  await new Promise((resolve) => kodi?.close(resolve));
});

test('add --wait shows progress until the torrent is complete; ls and status show it', async () => {
  const added = await tss(['add', swarm.magnetUri, '--wait', '--interval', '200']);
  expect(added).toMatchObject({ code: 0 });
  const lines = added.stdout.trim().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^${swarm.infoHash}  \\w+  ${swarm.name}$`));
  expect(lines.at(-1)).toBe(`${swarm.infoHash}  complete  ${swarm.name}`);
  expect(added.stderr).toMatch(/100% \| [\d.]+ MiB\/[\d.]+ MiB/); // the bar's last frame

  const ls = await tss(['ls']);
  expect(ls.code).toBe(0);
  expect(ls.stdout).toMatch(new RegExp(`^${swarm.infoHash}  complete\\s+100\\.00%.*${swarm.name}$`, 'm'));

  const status = await tss(['status', swarm.infoHash, '--server', server.url, '--token', ADMIN], {
    TSS_URL: 'http://127.0.0.1:1',
    TSS_TOKEN: 'wrong-token-0123456789',
  });
  expect(status.code).toBe(0); // --server and --token win over the environment
  expect(status.stdout).toContain(`hash      ${swarm.infoHash}`);
  expect(status.stdout).toContain('status    complete');
  expect(status.stdout).toMatch(/^\s+0\s+24\.0 MiB\s+Fixture Pack\/Fixture Movie \(2024\)\.mp4$/m);
  const json = JSON.parse((await tss(['status', swarm.infoHash, '--json'])).stdout);
  expect(json.data.infoHash).toBe(swarm.infoHash);
}, 90_000);

test('play prints a URL that streams the file; --kodi asks Kodi to play it', async () => {
  const play = await tss(['play', swarm.infoHash]);
  expect(play.code).toBe(0);
  const url = play.stdout.trim();
  expect(url.startsWith(`${server.url}/t/`)).toBe(true);
  const video = swarm.files[0]!.data;
  const res = await request(url, { headers: { Range: 'bytes=1000-1999' } });
  expect(res.status).toBe(206);
  expect(res.body.equals(video.subarray(1000, 2000))).toBe(true);

  const sub = await tss(['play', swarm.infoHash, '1']);
  expect(sub.stdout.trim()).toMatch(/\/English\.srt$/);

  const onKodi = await tss(['play', swarm.infoHash, '0', '--kodi']);
  expect(onKodi.code).toBe(0);
  expect(onKodi.stdout).toContain(`playing on ${kodiUrl}`);
  const open = kodiCalls.find((c) => c.method === 'Player.Open');
  expect(open?.params.item.file).toMatch(new RegExp(`/stream/${swarm.infoHash}/0/`));
});

test('a .torrent file adds too; rm --delete-files removes it', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tss-cli-'));
  try {
    const file = path.join(dir, 'fixture.torrent');
    await writeFile(file, swarm.torrentFile);
    const again = await tss(['add', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(swarm.infoHash);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const removed = await tss(['rm', swarm.infoHash, '--delete-files']);
  expect(removed).toMatchObject({ code: 0, stdout: `removed ${swarm.infoHash}, files deleted\n` });
  const gone = await tss(['status', swarm.infoHash]);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toMatch(/^tss status: .+ \(NOT_FOUND\)\n$/);
});

test("errors: the server's message and exit code 1; usage mistakes exit 2", async () => {
  const denied = await tss(['ls'], { TSS_TOKEN: 'wrong-token-0123456789' });
  expect(denied.code).toBe(1);
  expect(denied.stderr).toBe('tss ls: This token is not valid (revoked, or mistyped) (UNAUTHORIZED)\n');
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const closed = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise((resolve) => probe.close(resolve));
  const unreachable = await tss(['ls', '--server', closed]);
  expect(unreachable.code).toBe(1);
  expect(unreachable.stderr).toBe(`tss ls: cannot reach ${closed}: ECONNREFUSED (UNREACHABLE)\n`);
  const badHash = await tss(['status', 'nothex']);
  expect(badHash.code).toBe(2);
  expect(badHash.stderr).toContain('is not an info hash');
  expect((await tss(['frobnicate'])).code).toBe(2);
  const help = await tss(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('tss <command>');
});
