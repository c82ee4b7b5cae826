import express from 'express';
import { DomainError } from '../../src/domain/errors.js';
import { parse } from '../../src/http/shared/validate.js';
import { z } from '../../src/http/shared/zod.js';
import { json, request } from '../fixtures/http.js';
import { HTTP_METHODS, walkStack, type Layer, type Surface } from '../fixtures/router-stack.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';

/**
 * /docs.json is generated from the route contracts; this checks it against what the app really
 * serves: every route of the real Express router stack (built by the composition root) must be in
 * the document, so a route added without a contract fails here.
 */

interface Operation {
  summary?: string;
  responses?: Record<string, unknown>;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  'x-express-path'?: string;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

/** `/api/torrents/:infoHash` -> `/api/torrents/{infoHash}` (and `*rest` -> `{rest}`). */
const toOpenApiPath = (path: string): string => path.replace(/[:*]([A-Za-z_$][\w$]*)/g, '{$1}');

/** Every route and mount of `surface` that `doc` does not describe, as "METHOD /path". */
function undocumented(surface: Surface, doc: Document): string[] {
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op })),
  );
  const missing = surface.routes
    .filter(
      ({ method, path }) =>
        !operations.some(
          (o) => o.method === method && (o.path === toOpenApiPath(path) || o.op['x-express-path'] === path),
        ),
    )
    .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
  const missingMounts = surface.mounts
    .filter((mount) => !operations.some((o) => o.method === 'get' && o.path.startsWith(`${mount}/`)))
    .map((mount) => `GET ${mount}/*`);
  return [...missing, ...missingMounts, ...surface.unreadable.map((p) => `unreadable route path ${p}`)];
}

let server: TestServer;
let doc: Document;
let stack: Layer[];

beforeAll(async () => {
  server = await startTestServer();
  // The Express app behind the stream lane; Express 5 keeps its router on app.router.
  stack = (server.app as unknown as { router: { stack: typeof stack } }).router.stack;
  const res = await json<Document>(`${server.url}/docs.json`);
  expect(res.status).toBe(200);
  doc = res.body;
});

afterAll(async () => {
  await server?.stop();
});

describe('/docs.json covers the router stack', () => {
  test("the walk finds the app's routes, including the ones with a suffix check", () => {
    const surface = walkStack(stack);
    const seen = surface.routes.map((r) => `${r.method} ${r.path}`);
    expect(seen).toEqual(expect.arrayContaining(['get /api/torrents/:infoHash', 'post /api/cache/check']));
    expect(seen).toEqual(expect.arrayContaining(['get /playlist/:file', 'get /poster/:file', 'get /favicon.ico']));
    expect(seen).not.toContain('head /favicon.ico'); // implied by GET
    expect(surface.mounts).toEqual(expect.arrayContaining(['/web', '/docs/assets']));
    expect(surface.routes.length).toBeGreaterThan(30);
  });

  test('every route and mounted prefix is documented', () => {
    expect(undocumented(walkStack(stack), doc)).toEqual([]);
  });

  test('the checker reports a route nobody documented, also inside a nested router', () => {
    const extra = express();
    const nested = express.Router();
    nested.delete('/:id/things/*rest', (_req, res) => {
      res.end();
    });
    extra.get('/api/undocumented/:infoHash', (_req, res) => {
      res.end();
    });
    extra.use('/nested', nested);
    extra.use('/static-only', express.static('/nonexistent'));
    const withExtra = [...stack, ...(extra as unknown as { router: { stack: Layer[] } }).router.stack];
    expect(undocumented(walkStack(withExtra), doc)).toEqual([
      'GET /api/undocumented/:infoHash',
      'DELETE /nested/:id/things/*rest',
      'GET /static-only/*',
    ]);
  });
});

describe('the document is usable', () => {
  test("OpenAPI 3.0 with the server's title and version", () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'Torrent Stream Server', version: expect.any(String) });
  });

  test('every operation has a summary, a response, and declares its path parameters', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (!op.summary) problems.push(`${where}: no summary`);
        if (Object.keys(op.responses ?? {}).length === 0) problems.push(`${where}: no response`);
        for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
          const param = op.parameters?.find((p) => p.in === 'path' && p.name === name);
          if (!param?.required) problems.push(`${where}: path parameter ${name} not declared as required`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('the five cache routes are there', () => {
    expect(Object.keys(doc.paths['/api/cache-stats']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/cache-config']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/cache/{infoHash}']!)).toEqual(['delete']);
    expect(Object.keys(doc.paths['/api/cache/check']!)).toEqual(['post']);
  });
});

describe('routes validate with their contracts, with the messages they had', () => {
  const post = (path: string, body: unknown) => json(`${server.url}${path}`, { method: 'POST', body });
  const message = (res: { body: { error?: { message?: string } } }) => res.body.error?.message;
  const notAHash = (value: string) => `"${value}" is not an info hash (40 hex or 32 base32 characters)`;

  test('cache check and cleanup bodies', async () => {
    const bad = await post('/api/cache/check', { infoHashes: ['a'.repeat(40), 'nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ success: false, error: { code: 'INVALID_INPUT', message: notAHash('nope') } });
    expect(message(await post('/api/cache/check', { infoHashes: [] }))).toBe('Send {"infoHashes": ["<40 hex>", ...]}');
    expect(message(await post('/api/cache/check', {}))).toBe('Send {"infoHashes": ["<40 hex>", ...]}');
    const tooMany = await post('/api/cache/check', { infoHashes: Array(201).fill('nope') });
    expect(message(tooMany)).toBe('At most 200 info hashes per request');
    const upper = await post('/api/cache/check', { infoHashes: ['A'.repeat(40)] });
    expect(upper.body.data).toEqual([expect.objectContaining({ infoHash: 'a'.repeat(40), cached: false })]);
    for (const body of [{}, { forceCleanup: 'true' }, []]) {
      expect(message(await post('/api/cache-config', body))).toBe('Send {"forceCleanup": true} to run a cleanup now');
    }
  });

  test('path and query parameters', async () => {
    const hash = await json(`${server.url}/api/torrents/xyz`);
    expect(hash.status).toBe(400);
    expect(hash.body).toEqual({ success: false, error: { code: 'INVALID_INPUT', message: notAHash('xyz') } });
    const index = await json(`${server.url}/stream/file/${'a'.repeat(40)}/-1`);
    expect(message(index)).toBe('fileIndex must be a non-negative whole number, got "-1"');
    const twice = await json(`${server.url}/api/kodi/status?url=a&url=b`);
    expect(message(twice)).toBe('url must be given once, as a string');
    expect(message(await json(`${server.url}/poster/nothex.svg`))).toBe(notAHash('nothex'));
  });

  test('a generic zod problem names the field', () => {
    const schema = z.object({ count: z.number() });
    expect(() => parse(schema, { count: 'x' }, 'query parameter')).toThrow(DomainError);
    expect(() => parse(schema, { count: 'x' }, 'query parameter')).toThrow(
      'query parameter "count": Invalid input: expected number, received string',
    );
    expect(() => parse(schema, 'x', 'JSON body')).toThrow('JSON body: Invalid input: expected object, received string');
  });
});

test('GET /favicon.ico is the SVG icon, cached for a day', async () => {
  const res = await request(`${server.url}/favicon.ico`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
  expect(res.headers['cache-control']).toBe('public, max-age=86400');
  expect(res.body.toString()).toMatch(/<svg[\s>]/);
});
