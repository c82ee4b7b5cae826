import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { failure, ok, textBody, type Registrar } from '../shared/contract.js';
import { fileIndexPath, flag, infoHashPath, optionalFileIndex } from '../shared/params.js';
import { z } from '../shared/zod.js';

/** Contract of /stream/* (stream.routes.ts) and /subtitles/* (subtitle.routes.ts). */

export const streamHashParams = z.object({ infoHash: infoHashPath });
export const proxyQuery = z.object({ fileIndex: optionalFileIndex, download: downloadFlag() });
export const downloadQuery = z.object({ download: downloadFlag() });
export const fileParams = z.object({ infoHash: infoHashPath, fileIndex: fileIndexPath });
export const playerParams = z.object({ infoHash: infoHashPath, fileIndex: fileIndexPath, fileName: z.string() });
export const subtitleParams = fileParams;

function downloadFlag() {
  return flag.openapi({ param: { description: 'Content-Disposition: attachment' } });
}

/** Range and If-Range are read by respond-range.ts itself (RFC 9110 rules), so only documented here. */
const rangeHeaders = z.object({
  Range: z.string().optional().openapi({ example: 'bytes=0-1023' }),
  'If-Range': z.string().optional(),
});

const rangeResponses: Record<number, ResponseConfig> = {
  200: { description: 'Whole file', headers: { 'Accept-Ranges': { schema: { type: 'string' } } } },
  206: { description: 'Partial content (one range, or multipart/byteranges for several)' },
  304: { description: 'Not modified (If-None-Match / If-Modified-Since)' },
  400: failure('Bad info hash or file index'),
  404: failure('Unknown file index'),
  416: { description: 'Range not satisfiable; Content-Range: bytes */SIZE' },
  502: failure('The torrent failed (no peers after every retry)'),
  504: failure('Metadata did not arrive within TORRENT_TIMEOUT'),
  507: failure('Not enough disk space for this torrent'),
};

export const StreamInfo = z
  .object({
    infoHash: z.string(),
    name: z.string(),
    totalFiles: z.number().int(),
    videoFiles: z.number().int(),
    files: z.array(
      z.object({
        index: z.number().int(),
        name: z.string(),
        path: z.string(),
        length: z.number().int(),
        mediaKind: z.enum(['video', 'audio', 'subtitle', 'other']),
        isVideo: z.boolean(),
        streamUrl: z.string().openapi({ example: '/stream/file/0123456789abcdef0123456789abcdef01234567/0' }),
        playerUrl: z.string().openapi({ example: '/stream/0123456789abcdef0123456789abcdef01234567/0/movie.mp4' }),
        probeUrl: z
          .string()
          .optional()
          .openapi({ description: 'Video and audio files: what the file holds (ffprobe)' }),
        hlsUrl: z.string().optional().openapi({ description: 'Video and audio files: on-demand HLS for browsers' }),
      }),
    ),
  })
  .openapi('StreamInfo');

export const registerStreamContract: Registrar = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/stream/proxy/{infoHash}',
    summary: 'Stream a file with Range support (GET and HEAD)',
    description: 'Starts the torrent from its hash when unknown. Default file: the largest video.',
    request: { params: streamHashParams, query: proxyQuery, headers: rangeHeaders },
    responses: rangeResponses,
  });

  registry.registerPath({
    method: 'get',
    path: '/stream/{infoHash}/{fileIndex}/{fileName}',
    summary: 'Player-friendly stream URL ending in the file name',
    request: { params: playerParams, query: downloadQuery, headers: rangeHeaders },
    responses: rangeResponses,
  });

  registry.registerPath({
    method: 'get',
    path: '/stream/file/{infoHash}/{fileIndex}',
    summary: 'Redirect to /stream/proxy/{infoHash}?fileIndex=N',
    request: { params: fileParams, query: downloadQuery },
    responses: { 302: { description: 'Redirect' }, 400: failure('Bad info hash or file index') },
  });

  registry.registerPath({
    method: 'get',
    path: '/stream/info/{infoHash}',
    summary: 'Streamable files of a torrent',
    description: 'Waits for the metadata of a torrent that is still connecting.',
    request: { params: streamHashParams },
    responses: {
      200: ok(StreamInfo),
      400: failure('Bad info hash'),
      404: failure('Unknown torrent'),
      504: failure('Metadata did not arrive within TORRENT_TIMEOUT'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/subtitles/{infoHash}/{fileIndex}.vtt',
    summary: 'A subtitle file of a torrent (SRT or VTT) as UTF-8 WebVTT, converted on the fly',
    request: { params: subtitleParams },
    responses: {
      200: textBody('text/vtt', 'WebVTT'),
      400: failure('Not an SRT/VTT file, or bad parameters'),
      404: failure('Unknown file index'),
      504: failure('Metadata did not arrive within TORRENT_TIMEOUT'),
    },
  });
};
