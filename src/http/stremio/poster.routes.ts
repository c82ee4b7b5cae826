import { Router } from 'express';
import { posterSvg } from '../../domain/poster-svg.js';
import type { LibraryService } from '../../services/library.service.js';
import { POSTER_SUFFIX as SUFFIX } from '../shared/links.js';
import { parse } from '../shared/validate.js';
import { posterParams } from './stremio.contract.js';

/**
 * GET /poster/:infoHash.svg - a generated 2:3 poster (the torrent's name on a gradient coloured by its
 * info hash) for the Stremio catalog, which shows a placeholder for items without one. Express 5
 * cannot put a literal suffix after a param, hence `:file` plus a suffix check.
 */
export function posterRoutes(library: Pick<LibraryService, 'get'>): Router {
  const router = Router();

  router.get('/poster/:file', async (req, res, next) => {
    const file = req.params.file;
    if (!file.endsWith(SUFFIX) || file.length === SUFFIX.length) return next(); // the 404 handler answers
    const { infoHash } = parse(posterParams, { infoHash: file.slice(0, -SUFFIX.length) }, 'path parameter');
    const view = await library.get(infoHash); // NOT_FOUND -> 404
    res.setHeader('Content-Type', 'image/svg+xml; charset=utf-8');
    // The name rarely changes (only once metadata arrives); Stremio need not refetch for a day.
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(posterSvg(view.name, view.infoHash));
  });

  return router;
}
