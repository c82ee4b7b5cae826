import { Router, type Response } from 'express';
import { contentDisposition } from '../../domain/content-disposition.js';
import { DomainError } from '../../domain/errors.js';
import { buildM3u, buildStrm, type PlaylistItem } from '../../domain/m3u.js';
import { mediaKind } from '../../domain/mime.js';
import type { LibraryService } from '../../services/library.service.js';
import type { TorrentView } from '../../services/torrent-status.js';
import { publicBaseUrl } from '../shared/public-url.js';
import { playerPath } from '../shared/links.js';
import { parse } from '../shared/validate.js';
import { playlistParams, strmParams } from './kodi.contract.js';

/**
 * Playlist links for Kodi, VLC and friends: GET /playlist/<infoHash>.m3u, /playlist/all.m3u and
 * /strm/<infoHash>/<fileIndex>.strm. Kodi picks its parser from the URL, so the suffix is part of the
 * route (a ".m3u8" would go to its HLS demuxer); Express 5 cannot put a literal suffix after a param,
 * hence `:file` plus a suffix check. all.m3u follows the library's order (newest first, like
 * GET /api/torrents).
 */
export function playlistRoutes(library: LibraryService, publicUrl: string | undefined): Router {
  const router = Router();

  router.get('/playlist/:file', async (req, res, next) => {
    const name = stripSuffix(req.params.file, '.m3u');
    if (name === undefined) return next(); // the 404 handler answers
    const base = publicBaseUrl(req, publicUrl);
    const views =
      name === 'all'
        ? await library.list()
        : [await library.get(parse(playlistParams, { infoHash: name }, 'path parameter').infoHash)];
    const items = views.flatMap((view) => playlistItems(view, base));
    const fileName = name === 'all' ? 'all.m3u' : `${views[0]!.name}.m3u`;
    send(res, 'audio/x-mpegurl; charset=utf-8', fileName, buildM3u(items));
  });

  router.get('/strm/:infoHash/:file', async (req, res, next) => {
    const index = stripSuffix(req.params.file, '.strm');
    if (index === undefined) return next();
    const params = { infoHash: req.params.infoHash, fileIndex: index };
    const { infoHash, fileIndex } = parse(strmParams, params, 'path parameter');
    const view = await library.get(infoHash);
    const file = view.files.find((f) => f.index === fileIndex);
    if (!file)
      throw new DomainError(
        'FILE_NOT_FOUND',
        `File index ${fileIndex} does not exist; torrent ${view.infoHash} has ${view.files.length} file(s)`,
      );
    // Kodi titles a .strm library item after its file name, so name it after the media file.
    const strmName = `${file.name.replace(/\.[^.]*$/, '') || file.name}.strm`;
    send(
      res,
      'text/plain; charset=utf-8',
      strmName,
      buildStrm(publicBaseUrl(req, publicUrl) + playerPath(view.infoHash, file.index, file.name)),
    );
  });

  return router;
}

/**
 * Video and audio files only: a player would choke on .nfo, .jpg or .srt entries (subtitles are
 * picked up by the player next to the video anyway). A torrent with none gives an empty playlist,
 * not an error, so "all.m3u" and per-torrent links behave alike. Ordered by path with numeric
 * comparison so "Episode 2" comes before "Episode 10" whatever order the torrent stores them in.
 */
export function playlistItems(view: TorrentView, base: string): PlaylistItem[] {
  return view.files
    .filter((f) => ['video', 'audio'].includes(mediaKind(f.name)))
    .sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true, sensitivity: 'base' }) || a.index - b.index)
    .map((f) => ({ title: f.name, url: base + playerPath(view.infoHash, f.index, f.name) }));
}

function stripSuffix(value: string | undefined, suffix: string): string | undefined {
  return value !== undefined && value.endsWith(suffix) && value.length > suffix.length
    ? value.slice(0, -suffix.length)
    : undefined;
}

function send(res: Response, contentType: string, fileName: string, body: string): void {
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Disposition', contentDisposition('attachment', fileName));
  // The library changes as torrents come and go; players must not keep a stale list.
  res.setHeader('Cache-Control', 'no-cache');
  res.send(body);
}
