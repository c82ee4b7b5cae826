import {
  notWebReadyByName,
  parseClientCodecs,
  parseVariantKey,
  planPlayback,
  variantKey,
  type MediaInfo,
} from '../../src/domain/codec-plan.js';

const info = (container: string, video: string[], audio: string[]): MediaInfo => ({
  container,
  durationSeconds: 60,
  bitRate: 1_000_000,
  video: video.map((codec, index) => ({ index, codec })),
  audio: audio.map((codec, index) => ({ index, codec })),
  subtitles: [],
});
const MKV = 'matroska,webm';
const MP4 = 'mov,mp4,m4a,3gp,3g2,mj2';
const browser = parseClientCodecs('h264,aac,mp3,opus,vp9');

describe('planPlayback: the least work that makes a file playable', () => {
  test('H.264 + AC-3 in MKV: HLS, video copied, audio to AAC', () => {
    const plan = planPlayback(info(MKV, ['h264'], ['ac3']), browser, { fileName: 'a.mkv' });
    expect(plan).toEqual({
      direct: false,
      variant: { video: 'copy', audio: 'aac', audioIndex: 0 },
      reasons: ['audio ac3 -> aac'],
    });
  });

  test('HEVC: transcoded unless the client says it decodes HEVC', () => {
    expect(planPlayback(info(MKV, ['hevc'], ['aac']), browser).variant).toEqual({
      video: 'h264',
      audio: 'copy',
      audioIndex: 0,
    });
    expect(planPlayback(info(MKV, ['hevc'], ['aac']), parseClientCodecs('hevc')).variant.video).toBe('copy');
  });

  test('MPEG-4 / VC-1 are transcoded; DTS and E-AC-3 go to AAC', () => {
    expect(planPlayback(info('avi', ['mpeg4'], ['dts']), browser).variant).toEqual({
      video: 'h264',
      audio: 'aac',
      audioIndex: 0,
    });
    expect(planPlayback(info(MKV, ['vc1'], ['eac3']), browser).variant).toEqual({
      video: 'h264',
      audio: 'aac',
      audioIndex: 0,
    });
  });

  test('what the browser plays as it is gets no HLS at all', () => {
    expect(planPlayback(info(MP4, ['h264'], ['aac']), browser, { fileName: 'a.mp4' }).direct).toBe(true);
    expect(planPlayback(info(MKV, ['vp9'], ['opus']), browser, { fileName: 'a.webm' }).direct).toBe(true);
    // The same codecs in an .mkv: Chromium's demuxer is WebM-only, so HLS.
    expect(planPlayback(info(MKV, ['vp9'], ['opus']), browser, { fileName: 'a.mkv' }).direct).toBe(false);
    expect(planPlayback(info(MP4, ['h264'], ['ac3']), browser, { fileName: 'a.mp4' }).direct).toBe(false);
  });

  test('an audio track other than the first is chosen through HLS', () => {
    const plan = planPlayback(info(MP4, ['h264'], ['aac', 'ac3']), browser, { audioIndex: 1, fileName: 'a.mp4' });
    expect(plan.direct).toBe(false);
    expect(plan.variant).toEqual({ video: 'copy', audio: 'aac', audioIndex: 1 });
  });

  test('the client codec list keeps a baseline and ignores unknown names', () => {
    expect([...parseClientCodecs(undefined)].sort()).toEqual(['aac', 'h264', 'mp3']);
    expect(parseClientCodecs('HEVC, nonsense').has('hevc')).toBe(true);
    expect(parseClientCodecs('HEVC, nonsense').has('nonsense')).toBe(false);
  });

  test('variant keys round-trip and reject anything else', () => {
    const v = { video: 'h264', audio: 'aac', audioIndex: 2 } as const;
    expect(parseVariantKey(variantKey(v))).toEqual(v);
    expect(parseVariantKey('h264.aac')).toBeUndefined();
    expect(parseVariantKey('../etc.aac.0')).toBeUndefined();
  });

  test('by name: containers browsers never play as they are', () => {
    for (const name of ['a.mkv', 'b.AVI', 'c.wmv', 'd.flv', 'e.mpg', 'f.mpeg'])
      expect(notWebReadyByName(name)).toBe(true);
    for (const name of ['a.mp4', 'b.webm', 'c.m4v']) expect(notWebReadyByName(name)).toBe(false);
  });
});
