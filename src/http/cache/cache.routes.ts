import { Router } from 'express';
import { invalidInput } from '../../domain/errors.js';
import type { CacheAdminService } from '../../services/cache-admin.service.js';
import type { LibraryService } from '../../services/library.service.js';
import { infoHashParam } from '../shared/params.js';

const MAX_CHECK = 200;

export function cacheRoutes(admin: CacheAdminService, library: Pick<LibraryService, 'remove'>): Router {
  const router = Router();

  router.get('/api/cache-stats', async (_req, res) => {
    res.json({ success: true, data: await admin.stats() });
  });

  router.get('/api/cache-config', async (_req, res) => {
    res.json({ success: true, data: await admin.config() });
  });

  router.post('/api/cache-config', async (req, res) => {
    if (req.body?.forceCleanup !== true) throw invalidInput('Send {"forceCleanup": true} to run a cleanup now');
    res.json({ success: true, message: 'Cache cleaned successfully', data: await admin.forceCleanup() });
  });

  router.delete('/api/cache/:infoHash', async (req, res) => {
    const infoHash = infoHashParam(req.params.infoHash);
    await library.remove(infoHash, true); // stops it if active, deletes files and entries; 404 when unknown
    res.json({ success: true, message: 'Removed from cache', data: { infoHash, deletedFiles: true } });
  });

  router.post('/api/cache/check', async (req, res) => {
    const hashes: unknown = req.body?.infoHashes;
    if (!Array.isArray(hashes) || hashes.length === 0) throw invalidInput('Send {"infoHashes": ["<40 hex>", ...]}');
    if (hashes.length > MAX_CHECK) throw invalidInput(`At most ${MAX_CHECK} info hashes per request`);
    const normalized = hashes.map((h) => infoHashParam(h));
    res.json({ success: true, data: await admin.check(normalized) });
  });

  return router;
}
