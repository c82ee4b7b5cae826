import { Router, type Request, type Response } from 'express';
import type { Metrics } from '../../ports/metrics.js';
import type { LibraryService } from '../../services/library.service.js';
import type { StreamService } from '../../services/stream.service.js';
import type { UsersService } from '../../services/users.service.js';
import { hlsMasterPath, playerPath } from '../shared/links.js';
import { linkPrefix, principalOf } from '../shared/principal.js';
import { parse } from '../shared/validate.js';
import { serveStream } from './serve-stream.js';
import { downloadQuery, fileParams, playerParams, proxyQuery, streamHashParams } from './stream.contract.js';

export function streamRoutes(
  streams: StreamService,
  library: LibraryService,
  users: Pick<UsersService, 'openStream'>,
  metrics?: Metrics,
): Router {
  const router = Router();

  const serving = { streams, users, metrics };
  const serve = (req: Request, res: Response, infoHash: string, fileIndex: number | undefined) => {
    const { download } = parse(downloadQuery, req.query, 'query parameter');
    return serveStream(serving, req, res, principalOf(req), { infoHash, fileIndex, download });
  };

  router.get('/stream/proxy/:infoHash', (req, res) => {
    const { infoHash } = parse(streamHashParams, req.params, 'path parameter');
    return serve(req, res, infoHash, parse(proxyQuery, req.query, 'query parameter').fileIndex);
  });

  router.get('/stream/file/:infoHash/:fileIndex', (req, res) => {
    const { infoHash, fileIndex } = parse(fileParams, req.params, 'path parameter');
    const download = parse(downloadQuery, req.query, 'query parameter').download ? '&download=true' : '';
    res.redirect(302, `${linkPrefix(req)}/stream/proxy/${infoHash}?fileIndex=${fileIndex}${download}`);
  });

  router.get('/stream/info/:infoHash', async (req, res) => {
    const view = await library.getWithFiles(parse(streamHashParams, req.params, 'path parameter').infoHash);
    const prefix = linkPrefix(req);
    const files = view.files.map((f) => ({
      index: f.index,
      name: f.name,
      path: f.path,
      length: f.length,
      mediaKind: f.mediaKind,
      isVideo: f.mediaKind === 'video',
      streamUrl: `${prefix}/stream/file/${view.infoHash}/${f.index}`,
      playerUrl: prefix + playerPath(view.infoHash, f.index, f.name),
      ...(f.mediaKind === 'video' || f.mediaKind === 'audio'
        ? {
            probeUrl: `${prefix}/stream/probe/${view.infoHash}/${f.index}`,
            hlsUrl: prefix + hlsMasterPath(view.infoHash, f.index),
          }
        : {}),
    }));
    res.json({
      success: true,
      data: {
        infoHash: view.infoHash,
        name: view.name,
        totalFiles: files.length,
        videoFiles: files.filter((f) => f.isVideo).length,
        files,
      },
    });
  });

  // Registered last: its shape would also match the routes above.
  router.get('/stream/:infoHash/:fileIndex/:fileName', (req, res) => {
    const { infoHash, fileIndex } = parse(playerParams, req.params, 'path parameter');
    return serve(req, res, infoHash, fileIndex);
  });

  return router;
}
