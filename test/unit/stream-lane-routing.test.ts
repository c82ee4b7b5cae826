import { laneRequest } from '../../src/http/streams/stream-lane.js';

// Which requests the stream lane answers itself and which it leaves to the Express app. Declining is
// always safe (the app answers as before); taking a request the app would answer differently is not.
const HASH = '0123456789abcdef0123456789abcdef01234567';
const ask = (url: string, method = 'GET', headers: Record<string, string> = {}) =>
  laneRequest({ method, url, headers });

test("players' stream reads are the lane's, with the file, token and route the app would see", () => {
  expect(ask(`/stream/proxy/${HASH}`)).toEqual({
    infoHash: HASH,
    fileIndex: undefined,
    download: false,
    token: undefined,
    route: '/stream/proxy/:infoHash',
  });
  expect(ask(`/t/tok%2Fen/stream/proxy/${HASH.toUpperCase()}?fileIndex=3&download=true`, 'HEAD')).toEqual({
    infoHash: HASH, // normalized as the app's contract does
    fileIndex: 3,
    download: true,
    token: 'tok/en',
    route: '/stream/proxy/:infoHash',
  });
  expect(ask(`/stream/${HASH}/2/My%20Movie.mkv`)).toMatchObject({
    fileIndex: 2,
    route: '/stream/:infoHash/:fileIndex/:fileName',
  });
  // The token wherever the auth middleware looks: bearer, query, cookie (a path token wins).
  expect(ask(`/stream/proxy/${HASH}`, 'GET', { authorization: 'Bearer abc' })?.token).toBe('abc');
  expect(ask(`/stream/proxy/${HASH}?token=q1`)?.token).toBe('q1');
  expect(ask(`/stream/proxy/${HASH}`, 'GET', { cookie: 'a=b; tss_token=c%20d' })?.token).toBe('c d');
  expect(ask(`/t/p/stream/proxy/${HASH}?token=q`, 'GET', { authorization: 'Bearer b' })?.token).toBe('p');
});

test('everything else goes to the app untouched', () => {
  const declined = [
    ['POST', `/stream/proxy/${HASH}`],
    ['OPTIONS', `/stream/proxy/${HASH}`],
    ['GET', `/stream/proxy/not-a-hash`],
    ['GET', `/stream/proxy/${HASH}/`],
    ['GET', `/stream/proxy/${HASH}?fileIndex=-1`],
    ['GET', `/stream/proxy/${HASH}?fileIndex=1&fileIndex=2`],
    ['GET', `/stream/proxy/${HASH}?other=1`],
    ['GET', `/stream/file/${HASH}/0`],
    ['GET', `/stream/info/${HASH}`],
    ['GET', `/stream/probe/${HASH}/0`],
    ['GET', `/stream/${HASH}/x/name.mkv`],
    ['GET', `/stream/${HASH}/0/bad%E0%A4%A.mkv`],
    ['GET', `/stream/${HASH}/0/name.mkv?fileIndex=1`],
    ['GET', `/t/%E0%A4%A/stream/proxy/${HASH}`],
    ['GET', `/api/torrents`],
    ['GET', `/hls/${HASH}/0/master.m3u8`],
  ];
  for (const [method, url] of declined) expect([method, url, ask(url!, method)]).toEqual([method, url, undefined]);
});
