import { Router } from 'express';
import type { CacheAdminService } from '../../services/cache-admin.service.js';
import type { LibraryService } from '../../services/library.service.js';
import { requireAdmin } from '../shared/principal.js';
import { parse } from '../shared/validate.js';
import { cacheHashParams, CheckRequest, CleanupRequest } from './cache.contract.js';

export function cacheRoutes(admin: CacheAdminService, library: Pick<LibraryService, 'remove'>): Router {
  const router = Router();

  router.get('/api/cache-stats', async (_req, res) => {
    res.json({ success: true, data: await admin.stats() });
  });

  router.get('/api/cache-config', async (_req, res) => {
    res.json({ success: true, data: await admin.config() });
  });

  router.post('/api/cache-config', async (req, res) => {
    requireAdmin(req, 'force a cache cleanup');
    parse(CleanupRequest, req.body, 'JSON body');
    res.json({ success: true, message: 'Cache cleaned successfully', data: await admin.forceCleanup() });
  });

  router.delete('/api/cache/:infoHash', async (req, res) => {
    requireAdmin(req, 'delete from the cache');
    const { infoHash } = parse(cacheHashParams, req.params, 'path parameter');
    await library.remove(infoHash, true); // stops it if active, deletes files and entries; 404 when unknown
    res.json({ success: true, message: 'Removed from cache', data: { infoHash, deletedFiles: true } });
  });

  router.post('/api/cache/rebuild', async (req, res) => {
    requireAdmin(req, 'rebuild the cache index');
    res.json({ success: true, message: 'Cache index rebuilt from the files on disk', data: await admin.rebuild() });
  });

  router.post('/api/cache/check', async (req, res) => {
    const { infoHashes } = parse(CheckRequest, req.body, 'JSON body');
    res.json({ success: true, data: await admin.check(infoHashes) });
  });

  return router;
}
