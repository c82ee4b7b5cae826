import { json, request } from '../fixtures/http.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

test("GET /health has the seed's shape", async () => {
  const res = await json(`${server.url}/health`);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    status: 'healthy',
    services: {
      torrent: {
        status: 'running',
        activeTorrents: 0,
        downloadSpeed: 0,
        uploadSpeed: 0,
        dht: { enabled: false, nodes: 0 },
      },
      cache: { status: 'running', backend: 'sqlite', size: 0, maxSize: 1000, diskUsage: '0.00%' },
    },
    config: { port: 0, timeout: 60000, maxRetries: 3, cacheBackend: 'sqlite' },
  });
  expect(Date.parse(res.body.timestamp)).not.toBeNaN();
  expect(typeof res.body.uptime).toBe('number');
});

test('GET /status reports DHT, memory and the trackers in use', async () => {
  const res = await json(`${server.url}/status`);
  expect(res.body.success).toBe(true);
  expect(res.body.data.dht).toEqual({ enabled: false, nodes: 0 });
  expect(res.body.data.memory.rss).toBeGreaterThan(0);
  expect(res.body.data.config.trackers).toBe(0);
});

test('GET /docs serves the OpenAPI document as JSON and as a page with local assets', async () => {
  const doc = await json(`${server.url}/docs.json`);
  expect(doc.body.openapi).toMatch(/^3\./);
  for (const path of [
    '/api/torrents',
    '/api/torrents/{infoHash}',
    '/api/torrents/{infoHash}/files',
    '/stream/proxy/{infoHash}',
    '/stream/file/{infoHash}/{fileIndex}',
    '/stream/info/{infoHash}',
    '/health',
    '/status',
  ]) {
    expect(Object.keys(doc.body.paths)).toContain(path);
  }
  const negotiated = await fetch(`${server.url}/docs`, { headers: { accept: 'application/json' } });
  expect(((await negotiated.json()) as { openapi: string }).openapi).toBe(doc.body.openapi);

  const page = await request(`${server.url}/docs`, { headers: { accept: 'text/html' } });
  expect(page.headers['content-type']).toMatch(/text\/html/);
  const scripts = [...page.body.toString().matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
  expect(scripts.every((src) => src.startsWith('/'))).toBe(true); // nothing from the internet
  for (const src of scripts) expect((await request(`${server.url}${src}`, { method: 'HEAD' })).status).toBe(200);
});

test('CORS preflight allows Range from any origin', async () => {
  const res = await request(`${server.url}/stream/proxy/${'a'.repeat(40)}`, {
    method: 'OPTIONS',
    headers: { Origin: 'http://player.test', 'Access-Control-Request-Headers': 'range' },
  });
  expect(res.status).toBe(204);
  expect(res.headers['access-control-allow-origin']).toBe('*');
  expect(res.headers['access-control-allow-headers']).toMatch(/Range/);
});
