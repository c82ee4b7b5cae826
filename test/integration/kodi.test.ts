import net from 'node:net';
import nock from 'nock';
import { json, request, waitFor } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { startSwarm, type Swarm } from '../fixtures/swarm.js';

// The real server and a real loopback swarm; only the Kodi box is faked, by nock, on a host that does
// not exist. Refused connections and timeouts use real sockets on 127.0.0.1.
const KODI = 'http://kodi.test:8080';
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
interface Seen {
  body: any;
  headers: Record<string, unknown>;
}

let swarm: Swarm;
let server: TestServer; // KODI_URL configured, with credentials
let bare: TestServer; // no KODI_URL
const notifications: Seen[] = [];

/** Fakes one JSON-RPC method on `host`; `answer` builds the reply from the request body. */
function kodiMethod(method: string, answer: (body: any) => [number, unknown], host = KODI) {
  const seen: Seen[] = [];
  const scope = nock(host)
    .post('/jsonrpc', (body) => body.method === method)
    .reply(function (_uri, body) {
      seen.push({ body, headers: this.req.headers });
      return answer(body);
    });
  return { scope, seen };
}
const ok =
  (result: unknown) =>
  (body: any): [number, unknown] => [200, { jsonrpc: '2.0', id: body.id, result }];
const post = (base: string, path: string, body: unknown) => json(`${base}${path}`, { method: 'POST', body });

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1'); // our server, tracker and peers stay reachable
  // Registered before the torrent starts: its main file finishes within a second on loopback.
  nock(KODI)
    .persist()
    .post('/jsonrpc', (body) => body.method === 'GUI.ShowNotification')
    .reply(function (_uri, body: any) {
      notifications.push({ body, headers: this.req.headers });
      return [200, { jsonrpc: '2.0', id: body.id, result: 'OK' }];
    });
  swarm = await startSwarm();
  // FETCH_ALLOW_PRIVATE: the failure tests below name Kodis on 127.0.0.1 in the request (a LAN Kodi is private too).
  server = await startTestServer({
    KODI_URL: KODI,
    KODI_USERNAME: 'kodi',
    KODI_PASSWORD: 's3cret',
    FETCH_ALLOW_PRIVATE: 'true',
  });
  bare = await startTestServer();
  expect((await post(server.url, '/api/torrents', { magnetUri: swarm.magnetUri })).status).toBe(201);
  expect((await post(bare.url, '/api/torrents', { magnetUri: swarm.magnetUri })).status).toBe(201);
});

afterAll(async () => {
  await server?.stop();
  await bare?.stop();
  await swarm?.stop();
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});

const videoUrl = () => `${server.url}/stream/${swarm.infoHash}/0/Fixture%20Movie%20(2024).mp4`;

test('a finished download shows a notification on the configured Kodi', async () => {
  const seen = await waitFor(
    async () => notifications.find((n) => n.body.params.message === 'Fixture Movie (2024).mp4'),
    30000,
    'notification',
  );
  expect(seen.body).toEqual({
    jsonrpc: '2.0',
    method: 'GUI.ShowNotification',
    params: { title: 'Download finished', message: 'Fixture Movie (2024).mp4' },
    id: expect.any(Number),
  });
  expect(seen.headers['content-type']).toBe('application/json');
  expect(seen.headers.authorization).toBe(basic('kodi', 's3cret'));
});

test('play sends Player.Open with our absolute stream URL of the default video, and that URL streams', async () => {
  const open = kodiMethod('Player.Open', ok('OK'));
  const res = await post(server.url, '/api/kodi/play', { infoHash: swarm.infoHash });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    success: true,
    data: {
      action: 'play',
      method: 'Player.Open',
      kodi: KODI,
      infoHash: swarm.infoHash,
      fileIndex: 0,
      fileName: 'Fixture Movie (2024).mp4',
      url: videoUrl(),
      note: expect.stringContaining('does not report whether the stream actually plays'),
    },
  });
  expect(open.scope.isDone()).toBe(true);
  expect(open.seen).toHaveLength(1);
  expect(open.seen[0]!.body).toEqual({
    jsonrpc: '2.0',
    method: 'Player.Open',
    params: { item: { file: videoUrl() } },
    id: expect.any(Number),
  });
  expect(open.seen[0]!.headers['content-type']).toBe('application/json');
  expect(open.seen[0]!.headers.authorization).toBe(basic('kodi', 's3cret'));

  const stream = await request(videoUrl(), { headers: { Range: 'bytes=0-99' } });
  expect(stream.status).toBe(206);
  expect(stream.body.equals(swarm.files[0]!.data.subarray(0, 100))).toBe(true);
});

test('queue sends Playlist.Add to playlist 1, to a Kodi and credentials given in the request', async () => {
  const other = 'http://living-room.test:9090';
  const add = kodiMethod('Playlist.Add', ok('OK'), other);
  const res = await post(server.url, '/api/kodi/queue', {
    infoHash: swarm.infoHash,
    fileIndex: 1,
    kodi: { url: `${other}/`, username: 'me', password: 'pw' },
  });
  expect(res.status).toBe(200);
  const url = `${server.url}/stream/${swarm.infoHash}/1/English.srt`;
  expect(res.body.data).toMatchObject({
    action: 'queue',
    method: 'Playlist.Add',
    kodi: other,
    fileIndex: 1,
    fileName: 'English.srt',
    url,
  });
  expect(add.seen[0]!.body).toEqual({
    jsonrpc: '2.0',
    method: 'Playlist.Add',
    params: { playlistid: 1, item: { file: url } },
    id: expect.any(Number),
  });
  expect(add.seen[0]!.headers.authorization).toBe(basic('me', 'pw'));
});

test('the configured password is never sent to a Kodi named by a request', async () => {
  const open = kodiMethod('Player.Open', ok('OK'), 'http://stranger.test:8080');
  const res = await post(server.url, '/api/kodi/play', {
    infoHash: swarm.infoHash,
    kodi: { url: 'http://stranger.test:8080' },
  });
  expect(res.status).toBe(200);
  expect(open.seen[0]!.headers.authorization).toBeUndefined();
});

test('credentials without a URL are used for the configured Kodi', async () => {
  const open = kodiMethod('Player.Open', ok('OK'));
  expect(
    (
      await post(server.url, '/api/kodi/play', {
        infoHash: swarm.infoHash,
        kodi: { username: 'guest', password: 'pw2' },
      })
    ).status,
  ).toBe(200);
  expect(open.seen[0]!.headers.authorization).toBe(basic('guest', 'pw2'));
});

test('status pings Kodi, reads its name and version, with incrementing ids', async () => {
  const ping = kodiMethod('JSONRPC.Ping', ok('pong'));
  const props = kodiMethod(
    'Application.GetProperties',
    ok({ name: 'Kodi', version: { major: 20, minor: 2, revision: '20230629-5f418d0b13', tag: 'stable' } }),
  );
  const res = await json(`${server.url}/api/kodi/status`);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    success: true,
    data: {
      reachable: true,
      kodi: KODI,
      name: 'Kodi',
      version: { major: 20, minor: 2, revision: '20230629-5f418d0b13', tag: 'stable' },
    },
  });
  const pingBody = ping.seen[0]!.body;
  expect(pingBody).toEqual({ jsonrpc: '2.0', method: 'JSONRPC.Ping', id: expect.any(Number) });
  expect(props.seen[0]!.body).toEqual({
    jsonrpc: '2.0',
    method: 'Application.GetProperties',
    params: { properties: ['name', 'version'] },
    id: pingBody.id + 1,
  });
  expect(props.seen[0]!.headers.authorization).toBe(basic('kodi', 's3cret'));
});

describe('Kodi failures become 502 UPSTREAM_ERROR naming the cause', () => {
  const expect502 = (res: { status: number; body: any }, message: string) => {
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ success: false, error: { code: 'UPSTREAM_ERROR', message } });
    expect(JSON.stringify(res.body)).not.toContain('s3cret');
  };

  test('HTTP 401: the credentials were rejected', async () => {
    const open = kodiMethod('Player.Open', () => [401, 'Unauthorized']);
    expect502(
      await post(server.url, '/api/kodi/play', { infoHash: swarm.infoHash }),
      `Kodi at ${KODI} rejected the credentials (401)`,
    );
    expect(open.scope.isDone()).toBe(true);
  });

  test("a JSON-RPC error object: Kodi's own message", async () => {
    kodiMethod('Player.Open', (body) => [
      200,
      {
        jsonrpc: '2.0',
        id: body.id,
        error: {
          code: -32602,
          message: 'Invalid params.',
          data: {
            method: 'Player.Open',
            stack: {
              message: 'Received value does not match any of the union type definitions',
              name: 'item',
              type: 'object',
            },
          },
        },
      },
    ]);
    expect502(
      await post(server.url, '/api/kodi/play', { infoHash: swarm.infoHash }),
      `Kodi at ${KODI} refused Player.Open: Invalid params. Received value does not match any of the union type definitions (code -32602)`,
    );
  });

  test('another HTTP error status', async () => {
    kodiMethod('Playlist.Add', () => [500, 'oops']);
    expect502(
      await post(server.url, '/api/kodi/queue', { infoHash: swarm.infoHash }),
      `Kodi at ${KODI} answered Playlist.Add with HTTP 500`,
    );
  });

  test('connection refused (a real closed port)', async () => {
    const port = await closedPort();
    const res = await post(server.url, '/api/kodi/play', {
      infoHash: swarm.infoHash,
      kodi: { url: `http://kodi:s3cret@127.0.0.1:${port}` },
    });
    expect502(
      res,
      `Kodi at http://127.0.0.1:${port} is unreachable (ECONNREFUSED); is Kodi running with "Allow remote control via HTTP" enabled?`,
    );
  });

  test('a Kodi that accepts the connection but never answers times out after 5 s', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      expect502(
        await json(`${server.url}/api/kodi/status?url=${encodeURIComponent(`http://127.0.0.1:${port}`)}`),
        `Kodi at http://127.0.0.1:${port} did not answer within 5 s`,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('input errors are answered before Kodi is contacted', () => {
  test('no KODI_URL and no kodi.url: 400 naming KODI_URL', async () => {
    for (const res of [
      await post(bare.url, '/api/kodi/play', { infoHash: swarm.infoHash }),
      await json(`${bare.url}/api/kodi/status`),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.error.code).toBe('INVALID_INPUT');
      expect(res.body.error.message).toContain('KODI_URL');
    }
  });

  test('bad kodi.url, bad hash, unknown torrent, unknown file', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ infoHash: swarm.infoHash, kodi: { url: 'ftp://kodi.test' } }, 400, 'kodi.url must be an http(s) URL'],
      [{ infoHash: swarm.infoHash, kodi: { url: 'not a url' } }, 400, 'kodi.url must be an absolute http(s) URL'],
      [{ infoHash: 'xyz' }, 400, 'is not an info hash'],
      [{}, 400, 'infoHash is required'],
      [{ infoHash: swarm.infoHash, fileIndex: -1 }, 400, 'fileIndex must be a non-negative whole number'],
      [{ infoHash: 'a'.repeat(40) }, 404, `Torrent ${'a'.repeat(40)} not found`],
      [{ infoHash: swarm.infoHash, fileIndex: 99 }, 404, 'File index 99 does not exist'],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(server.url, '/api/kodi/play', body);
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status,
        message: expect.stringContaining(message),
      });
    }
  });
});

/** A port nothing listens on: bind, note it, close. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
