import { failure, ok, textBody, type Registrar } from '../shared/contract.js';
import { fileIndexPath, infoHashPath } from '../shared/params.js';
import { z } from '../shared/zod.js';

/** Contract of the probe (/stream/probe), on-demand HLS (/hls) and embedded subtitles (/subtitles/.../track). */

export const mediaFileParams = z.object({ infoHash: infoHashPath, fileIndex: fileIndexPath });
const codecs = z.string().max(200).optional().openapi({
  description: 'What the client decodes, comma-separated ffprobe names (h264,hevc,aac,ac3...)',
  example: 'h264,aac',
});
const index = (what: string) =>
  z
    .string()
    .regex(/^\d{1,3}$/, `${what} must be a whole number`)
    .transform(Number)
    .optional()
    .openapi({ type: 'integer', minimum: 0, description: what });

export const probeQuery = z.object({ codecs });
export const masterQuery = z.object({
  codecs,
  audio: index('audio track (n-th audio stream)'),
  subtitles: z.enum(['0', '1']).optional().openapi({ description: '0 leaves the subtitle renditions out' }),
});
export const variantParams = mediaFileParams.extend({
  variant: z
    .string()
    .regex(/^[a-z0-9.]{1,40}$/, 'variant is not valid')
    .openapi({ example: 'copy.aac.0' }),
});
export const segmentParams = variantParams.extend({
  segment: z
    .string()
    .regex(/^seg-\d{1,6}\.ts$/, 'segment must look like seg-<n>.ts')
    .transform((s) => Number(/\d+/.exec(s)![0]))
    .openapi({ type: 'string', example: 'seg-0.ts' }),
});
export const trackParams = mediaFileParams.extend({
  track: z
    .string()
    .regex(/^\d{1,3}$/, 'track must be a whole number')
    .transform(Number)
    .openapi({ type: 'integer' }),
});

const MediaTrack = z.object({
  index: z.number().int(),
  codec: z.string(),
  profile: z.string().optional(),
  language: z.string().optional(),
  title: z.string().optional(),
});

export const ProbeResult = z
  .object({
    infoHash: z.string(),
    fileIndex: z.number().int(),
    fileName: z.string(),
    container: z.string(),
    durationSeconds: z.number().optional(),
    bitRate: z.number().optional(),
    video: z.array(MediaTrack.extend({ width: z.number().optional(), height: z.number().optional() })),
    audio: z.array(MediaTrack.extend({ channels: z.number().optional() })),
    subtitles: z.array(MediaTrack.extend({ text: z.boolean(), url: z.string().optional() })),
    playback: z.object({
      direct: z.boolean().openapi({ description: 'The client plays the file as it is: no HLS needed' }),
      variant: z.string().openapi({ example: 'copy.aac.0' }),
      reasons: z.array(z.string()).openapi({ example: ['audio ac3 -> aac'] }),
      hlsUrl: z.string(),
    }),
  })
  .openapi('ProbeResult');

const hlsFailures = {
  400: failure('Bad parameters'),
  404: failure('Unknown torrent, file or segment'),
  415: failure('Not a media file ffprobe can read'),
  501: failure('ffmpeg/ffprobe is not installed on this server'),
  503: failure('Every HLS job is busy (HLS_MAX_JOBS); Retry-After says when to come back'),
  504: failure('Metadata or the segment did not arrive in time'),
};
const playlist = textBody('application/vnd.apple.mpegurl', 'HLS playlist');

export const registerHlsContract: Registrar = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/web/vendor/hls.min.js',
    summary: "hls.js (from npm, served locally) for the pages' player",
    responses: { 200: textBody('text/javascript', 'JavaScript') },
  });
  registry.registerPath({
    method: 'get',
    path: '/stream/probe/{infoHash}/{fileIndex}',
    summary: "A file's container, duration and tracks (ffprobe), and how this client should play it",
    request: { params: mediaFileParams, query: probeQuery },
    responses: { 200: ok(ProbeResult), ...hlsFailures },
  });
  registry.registerPath({
    method: 'get',
    path: '/hls/{infoHash}/{fileIndex}/master.m3u8',
    summary: 'HLS master playlist: the file remuxed, or transcoded where the client cannot decode it',
    request: { params: mediaFileParams, query: masterQuery },
    responses: { 200: playlist, ...hlsFailures },
  });
  registry.registerPath({
    method: 'get',
    path: '/hls/{infoHash}/{fileIndex}/{variant}/index.m3u8',
    summary: 'HLS media playlist: fixed-length segments for the whole duration',
    request: { params: variantParams },
    responses: { 200: playlist, ...hlsFailures },
  });
  registry.registerPath({
    method: 'get',
    path: '/hls/{infoHash}/{fileIndex}/{variant}/{segment}',
    summary: 'One MPEG-TS segment, made on demand by ffmpeg',
    request: { params: segmentParams },
    responses: { 200: textBody('video/mp2t', 'MPEG-TS segment'), ...hlsFailures },
  });
  registry.registerPath({
    method: 'get',
    path: '/hls/{infoHash}/{fileIndex}/subtitles/{track}.m3u8',
    summary: 'HLS subtitle rendition of an embedded text subtitle',
    request: { params: trackParams },
    responses: { 200: playlist, ...hlsFailures },
  });
  registry.registerPath({
    method: 'get',
    path: '/subtitles/{infoHash}/{fileIndex}/track/{track}.vtt',
    summary: 'An embedded text subtitle (SRT/ASS in MKV) as WebVTT',
    request: { params: trackParams },
    responses: { 200: textBody('text/vtt', 'WebVTT'), ...hlsFailures },
  });
};
