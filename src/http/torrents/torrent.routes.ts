import { DomainError } from '../../domain/errors.js';
import { principalOf } from '../shared/principal.js';
import { Router } from 'express';
import type { AddTorrentService } from '../../services/add-torrent.service.js';
import type { LibraryService } from '../../services/library.service.js';
import type { TorrentService } from '../../services/torrent.service.js';
import type { TorrentView } from '../../services/torrent-status.js';
import { parse } from '../shared/validate.js';
import { readAddRequest } from './read-add-request.js';
import { removeTorrentQuery, torrentParams } from './torrent.contract.js';

const summary = (t: TorrentView) => ({
  infoHash: t.infoHash,
  name: t.name,
  status: t.status,
  progress: t.progress,
  peers: t.numPeers,
  downloadSpeed: t.downloadSpeed,
  uploadSpeed: t.uploadSpeed,
  timeRemaining: t.timeRemaining,
  cached: t.cached,
  addedAt: t.addedAt,
  ...(t.error ? { error: t.error } : {}),
});

/** The `data` of GET /api/torrents; the live event stream (/api/events) pushes the same shape. */
export async function torrentListData(library: LibraryService, torrents: TorrentService) {
  const list = await library.list();
  const stats = torrents.stats();
  return {
    total: list.length,
    downloadSpeed: stats.downloadSpeed,
    uploadSpeed: stats.uploadSpeed,
    torrents: list.map(summary),
    dht: stats.dht,
  };
}

export interface TorrentRouteServices {
  addTorrent: AddTorrentService;
  library: LibraryService;
  torrents: TorrentService;
}

export function torrentRoutes({ addTorrent, library, torrents }: TorrentRouteServices): Router {
  const router = Router();

  router.post('/api/torrents', async (req, res) => {
    const { created, message, ...view } = await addTorrent.add({
      ...(await readAddRequest(req)),
      principal: principalOf(req),
    });
    res.status(created ? 201 : 200).json({
      success: true,
      data: { ...view, files: view.files.map(({ name, path, length }) => ({ name, path, length })), message },
    });
  });

  router.get('/api/torrents', async (_req, res) => {
    res.json({ success: true, data: await torrentListData(library, torrents) });
  });

  router.get('/api/torrents/:infoHash', async (req, res) => {
    const { infoHash } = parse(torrentParams, req.params, 'path parameter');
    res.json({ success: true, data: await library.get(infoHash) });
  });

  router.get('/api/torrents/:infoHash/files', async (req, res) => {
    const view = await library.get(parse(torrentParams, req.params, 'path parameter').infoHash);
    res.json({ success: true, data: { infoHash: view.infoHash, files: view.files, count: view.files.length } });
  });

  router.delete('/api/torrents/:infoHash', async (req, res) => {
    const { infoHash } = parse(torrentParams, req.params, 'path parameter');
    const { deleteFiles } = parse(removeTorrentQuery, req.query, 'query parameter');
    const principal = principalOf(req);
    if (principal.kind === 'user' && torrents.ownerOf(infoHash) !== principal.id) {
      throw new DomainError(
        'FORBIDDEN',
        'A user token can remove only torrents it added while they are active; ask the admin',
      );
    }
    const { keptInCache } = await library.remove(infoHash, deleteFiles);
    res.json({
      success: true,
      message: 'Torrent removed successfully',
      data: { infoHash, deletedFiles: deleteFiles, keptInCache },
    });
  });

  return router;
}
