import { buffer } from 'node:stream/consumers';
import { Router } from 'express';
import { invalidInput } from '../../domain/errors.js';
import { decodeSubtitle, srtToVtt } from '../../domain/subtitles.js';
import type { StreamService } from '../../services/stream.service.js';
import { fromClusterNode } from '../middleware/node-header.js';
import { parse } from '../shared/validate.js';
import { subtitleParams } from './stream.contract.js';

/** Subtitles are read whole into memory to be converted; real ones are well under this. */
const MAX_SUBTITLE_BYTES = 5 * 1024 * 1024;

/**
 * GET /subtitles/:infoHash/:fileIndex.vtt - a subtitle file of a torrent as WebVTT, converted on the fly:
 * Stremio's and browsers' players take VTT, while torrents mostly ship SRT in whatever encoding.
 */
export function subtitleRoutes(streams: StreamService): Router {
  const router = Router();

  router.get('/subtitles/:infoHash/:fileIndex.vtt', async (req, res) => {
    const { infoHash, fileIndex } = parse(subtitleParams, req.params, 'path parameter');
    const target = await streams.resolve(infoHash, fileIndex, { localOnly: fromClusterNode(req) });
    try {
      if (!/\.(srt|vtt)$/i.test(target.fileName))
        throw invalidInput(`File ${fileIndex} (${target.fileName}) is not an SRT or VTT subtitle`);
      if (target.size > MAX_SUBTITLE_BYTES)
        throw invalidInput(`File ${fileIndex} is larger than ${MAX_SUBTITLE_BYTES / 1024 / 1024} MiB; not a subtitle`);
      let bytes: Uint8Array = new Uint8Array(0);
      if (target.size > 0) {
        const stream = target.open({ start: 0, end: target.size - 1 });
        // A torrent with no peers never finishes the read: stop waiting when the client gives up.
        const abandon = () => stream.destroy();
        req.once('close', abandon);
        try {
          bytes = await buffer(stream);
        } finally {
          req.off('close', abandon);
        }
      }
      res.setHeader('Content-Type', 'text/vtt; charset=utf-8');
      // Content is addressed by info hash + index: it never changes.
      res.setHeader('Cache-Control', 'public, max-age=86400');
      res.send(srtToVtt(decodeSubtitle(bytes)));
    } finally {
      target.release();
    }
  });

  return router;
}
