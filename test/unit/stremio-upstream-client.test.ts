import nock from 'nock';
import { GuardedHttpClient } from '../../src/adapters/guarded-http-client.js';
import { StremioUpstreamClient } from '../../src/adapters/stremio-upstream-client.js';
import { readUpstreamStream } from '../../src/services/addon-streams.service.js';

const MANIFEST = 'http://up.test/token-abc/manifest.json';

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.abortPendingRequests();
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore(); // un-patch http/fetch for the next test file in this worker
});

describe('StremioUpstreamClient', () => {
  const client = new StremioUpstreamClient(new GuardedHttpClient({ allowPrivate: false, allow: [] }), 300);

  it('asks <base>/stream/<type>/<id>.json and keeps only stream objects', async () => {
    nock('http://up.test')
      .get('/token-abc/stream/series/tt1%3A2%3A3.json')
      .reply(200, { streams: [{ infoHash: 'x' }, null, 3, [], { url: 'u' }] });
    expect(await client.streams(MANIFEST, 'series', 'tt1:2:3')).toEqual([{ infoHash: 'x' }, { url: 'u' }]);
  });

  it('an answer without streams is an empty list', async () => {
    nock('http://up.test').get('/token-abc/stream/movie/tt1.json').reply(200, { metas: [] });
    expect(await client.streams(MANIFEST, 'movie', 'tt1')).toEqual([]);
  });

  it.each([
    ['HTTP errors', (s: nock.Interceptor) => s.reply(503), /up\.test answered HTTP 503/],
    ['non-JSON', (s: nock.Interceptor) => s.reply(200, '<html>'), /did not answer JSON/],
    ['network errors', (s: nock.Interceptor) => s.replyWithError('socket hang up'), /up\.test: /],
    ['slow answers', (s: nock.Interceptor) => s.delay(2000).reply(200, { streams: [] }), /no answer within 300 ms/],
  ])('%s become UPSTREAM_ERROR naming the host only', async (_what, reply, message) => {
    reply(nock('http://up.test').get('/token-abc/stream/movie/tt1.json'));
    const started = Date.now();
    const err = await client.streams(MANIFEST, 'movie', 'tt1').catch((e: unknown) => e as Error & { code: string });
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('token-abc');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('readUpstreamStream', () => {
  const hash = 'ab'.repeat(20);
  it('reads the torrent part and what to show', () => {
    expect(
      readUpstreamStream({
        name: 'N',
        title: 'T',
        infoHash: hash.toUpperCase(),
        fileIdx: 4,
        behaviorHints: { filename: 'f.mkv', videoSize: 9, bingeGroup: 'g' },
      }),
    ).toEqual({
      infoHash: hash,
      fileIdx: 4,
      filename: 'f.mkv',
      videoSize: 9,
      info: { name: 'N', title: 'T', bingeGroup: 'g' },
    });
  });

  it('ignores malformed fields and entries without a valid hash', () => {
    expect(readUpstreamStream({ infoHash: hash, fileIdx: -1, behaviorHints: 'x', name: 5 })).toEqual({
      infoHash: hash,
      fileIdx: undefined,
      filename: undefined,
      videoSize: undefined,
      info: {},
    });
    expect(readUpstreamStream({ infoHash: 'nothex' })).toBeUndefined();
    expect(readUpstreamStream({ url: 'http://x' })).toBeUndefined();
  });
});
