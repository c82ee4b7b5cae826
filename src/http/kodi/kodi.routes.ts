import { Router, type Request } from 'express';
import type { PlaybackRequest, PlaybackService, StreamUrlFor } from '../../services/playback.service.js';
import { publicBaseUrl } from '../shared/public-url.js';
import { playerPath } from '../shared/links.js';
import { requireAdmin } from '../shared/principal.js';
import { parse } from '../shared/validate.js';
import { KodiPlay, kodiStatusQuery } from './kodi.contract.js';

/** "Play on my Kodi": POST /api/kodi/play and /api/kodi/queue, GET /api/kodi/status. */
export function kodiRoutes(playback: PlaybackService, publicUrl: string | undefined): Router {
  const router = Router();

  // Kodi fetches the stream itself, so the URL must be absolute and reachable from the TV.
  const streamUrlFor =
    (req: Request): StreamUrlFor =>
    (infoHash, fileIndex, fileName) =>
      publicBaseUrl(req, publicUrl) + playerPath(infoHash, fileIndex, fileName);

  router.post('/api/kodi/play', async (req, res) => {
    res.json({ success: true, data: await playback.play(playbackRequest(req), streamUrlFor(req)) });
  });

  router.post('/api/kodi/queue', async (req, res) => {
    res.json({ success: true, data: await playback.queue(playbackRequest(req), streamUrlFor(req)) });
  });

  // Only the URL can be given here: credentials in a query string would end up in access logs.
  // The configured KODI_USERNAME/KODI_PASSWORD are used when the URL points at KODI_URL's host.
  router.get('/api/kodi/status', async (req, res) => {
    const { url } = parse(kodiStatusQuery, req.query, 'query parameter');
    if (url) requireAdmin(req, 'name a Kodi in the request (users play on KODI_URL)');
    res.json({ success: true, data: await playback.status(url ? { url } : undefined) });
  });

  return router;
}

function playbackRequest(req: Request): PlaybackRequest {
  const { infoHash, fileIndex, kodi } = parse(KodiPlay, req.body, 'JSON body');
  // Naming a Kodi makes the server call an address of the caller's choice: the admin's call.
  if (kodi !== undefined && kodi !== null) requireAdmin(req, 'name a Kodi in the request (users play on KODI_URL)');
  return { infoHash, ...(fileIndex !== undefined ? { fileIndex } : {}), ...(kodi !== undefined ? { kodi } : {}) };
}
