import { createRequire } from 'node:module';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { masterPlaylist, mediaPlaylist, subtitlePlaylist } from '../../domain/hls-playlist.js';
import { DomainError } from '../../domain/errors.js';
import type { HlsService } from '../../services/hls.service.js';
import type { ProbeService } from '../../services/probe.service.js';
import { embeddedSubtitlePath, hlsMasterPath } from '../shared/links.js';
import { linkPrefix } from '../shared/principal.js';
import { parse } from '../shared/validate.js';
import { masterQuery, mediaFileParams, probeQuery, segmentParams, trackParams, variantParams } from './hls.contract.js';

const M3U8 = 'application/vnd.apple.mpegurl';
/** hls.js from npm, served by us (the pages' CSP allows nothing from the internet). */
const HLS_JS = path.join(
  path.dirname(createRequire(import.meta.url).resolve('hls.js/package.json')),
  'dist',
  'hls.min.js',
);
export const HLS_JS_PATH = '/web/vendor/hls.min.js';

function sendPlaylist(res: Response, text: string): void {
  res.setHeader('Content-Type', M3U8);
  res.setHeader('Cache-Control', 'no-cache');
  res.send(text);
}

/** An AbortSignal that fires when the client goes away (a segment it no longer waits for). */
function clientGone(req: Request, res: Response): AbortSignal {
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  return abort.signal;
}

/**
 * The probe, the HLS playlists and segments and embedded subtitles. Playlists use relative URIs, so a
 * `/t/<token>/` prefix the master was fetched with carries over to every segment.
 */
export function hlsRoutes(hls: HlsService, probes: ProbeService): Router {
  const router = Router();

  router.get(HLS_JS_PATH, (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(HLS_JS, { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  });

  router.get('/stream/probe/:infoHash/:fileIndex', async (req, res) => {
    const { infoHash, fileIndex } = parse(mediaFileParams, req.params, 'path parameter');
    const { codecs } = parse(probeQuery, req.query, 'query parameter');
    const { info, fileName } = await probes.probe(infoHash, fileIndex);
    const { plan, key } = await hls.plan(infoHash, fileIndex, { codecs });
    const prefix = linkPrefix(req);
    const query = codecs ? `?codecs=${encodeURIComponent(codecs)}` : '';
    res.json({
      success: true,
      data: {
        infoHash,
        fileIndex,
        fileName,
        ...info,
        subtitles: info.subtitles.map((s) => ({
          ...s,
          ...(s.text ? { url: prefix + embeddedSubtitlePath(infoHash, fileIndex, s.index) } : {}),
        })),
        playback: {
          direct: plan.direct,
          variant: key,
          reasons: plan.reasons,
          hlsUrl: prefix + hlsMasterPath(infoHash, fileIndex) + query,
        },
      },
    });
  });

  router.get('/hls/:infoHash/:fileIndex/master.m3u8', async (req, res) => {
    const { infoHash, fileIndex } = parse(mediaFileParams, req.params, 'path parameter');
    const query = parse(masterQuery, req.query, 'query parameter');
    const { info, key } = await hls.plan(infoHash, fileIndex, { codecs: query.codecs, audio: query.audio });
    const video = info.video[0];
    const subtitles =
      query.subtitles === '0'
        ? []
        : info.subtitles
            .filter((s) => s.text)
            .map((s) => ({
              name: s.title ?? s.language ?? `Track ${s.index + 1}`,
              language: s.language,
              uri: `subtitles/${s.index}.m3u8`,
            }));
    sendPlaylist(
      res,
      masterPlaylist({
        uri: `${key}/index.m3u8`,
        bandwidth: info.bitRate ?? 2_000_000,
        width: video?.width,
        height: video?.height,
        subtitles,
      }),
    );
  });

  router.get('/hls/:infoHash/:fileIndex/subtitles/:track.m3u8', async (req, res) => {
    const { infoHash, fileIndex, track } = parse(trackParams, req.params, 'path parameter');
    const { info } = await hls.plan(infoHash, fileIndex, {});
    if (!info.subtitles.some((s) => s.index === track && s.text))
      throw new DomainError('NOT_FOUND', `File ${fileIndex} has no text subtitle track ${track}`);
    // From /hls/<hash>/<index>/subtitles/ back to the root.
    sendPlaylist(
      res,
      subtitlePlaylist(info.durationSeconds, `../../../..${embeddedSubtitlePath(infoHash, fileIndex, track)}`),
    );
  });

  router.get('/hls/:infoHash/:fileIndex/:variant/index.m3u8', async (req, res) => {
    const { infoHash, fileIndex, variant } = parse(variantParams, req.params, 'path parameter');
    const duration = await hls.duration(infoHash, fileIndex, variant);
    sendPlaylist(
      res,
      mediaPlaylist(duration, hls.segmentSeconds, (n) => `seg-${n}.ts`),
    );
  });

  router.get('/hls/:infoHash/:fileIndex/:variant/:segment', async (req, res) => {
    const { infoHash, fileIndex, variant, segment } = parse(segmentParams, req.params, 'path parameter');
    const file = await hls.segment(infoHash, fileIndex, variant, segment, clientGone(req, res));
    res.setHeader('Cache-Control', 'private, max-age=3600');
    await new Promise<void>((resolve, reject) =>
      res.sendFile(
        file,
        { headers: { 'Content-Type': 'video/mp2t' }, dotfiles: 'allow', lastModified: false, etag: false },
        (err) => (err && !res.headersSent ? reject(err) : resolve()),
      ),
    );
  });

  router.get('/subtitles/:infoHash/:fileIndex/track/:track.vtt', async (req, res) => {
    const { infoHash, fileIndex, track } = parse(trackParams, req.params, 'path parameter');
    const vtt = await probes.subtitle(infoHash, fileIndex, track);
    res.setHeader('Content-Type', 'text/vtt; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.send(vtt);
  });

  return router;
}
