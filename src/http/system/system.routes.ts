import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';
import type { Config } from '../../config.js';
import type { TorrentService } from '../../services/torrent.service.js';
import { openApiDocument } from './openapi.js';
import { htmlHeaders } from '../middleware/html-headers.js';

export interface CacheHealth {
  health(): Promise<Record<string, unknown>>;
}

const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

export function systemRoutes(deps: {
  config: Config;
  version: string;
  startedAt: number;
  torrents: TorrentService;
  cache?: CacheHealth;
  webDir: string;
}): Router {
  const router = Router();
  const { config, torrents } = deps;
  const uptime = () => Math.round((Date.now() - deps.startedAt) / 1000);

  const torrentHealth = () => {
    const stats = torrents.stats();
    const failure = torrents.engineFailure();
    const warning = torrents.diskWarning();
    return {
      status: failure ? 'error' : warning ? 'warning' : 'running',
      ...(warning ? { warning } : {}),
      ...(failure ? { error: failure } : {}),
      activeTorrents: stats.activeTorrents,
      downloadSpeed: stats.downloadSpeed,
      uploadSpeed: stats.uploadSpeed,
      dht: stats.dht,
    };
  };
  const cacheHealth = async () => {
    try {
      return deps.cache ? { status: 'running', ...(await deps.cache.health()) } : { status: 'disabled' };
    } catch (err) {
      return { status: 'error', error: (err as Error).message };
    }
  };

  router.get('/health', async (_req, res) => {
    const cache = await cacheHealth();
    const torrent = torrentHealth();
    const healthy = cache.status !== 'error' && torrent.status !== 'error';
    res.status(healthy ? 200 : 503).json({
      status: healthy ? 'healthy' : 'unhealthy',
      timestamp: new Date().toISOString(),
      uptime: uptime(),
      version: deps.version,
      services: { torrent, cache },
      config: {
        port: config.port,
        timeout: config.torrent.timeoutMs,
        maxRetries: config.torrent.maxRetries,
        cacheBackend: config.cache.backend,
      },
    });
  });

  router.get('/status', async (_req, res) => {
    const memory = process.memoryUsage();
    res.json({
      success: true,
      data: {
        version: deps.version,
        uptime: uptime(),
        node: process.version,
        memory: { rss: memory.rss, heapUsed: memory.heapUsed },
        torrent: torrentHealth(),
        dht: torrents.stats().dht,
        cache: await cacheHealth(),
        config: {
          downloadDir: config.downloadDir,
          trackers: config.torrent.trackers.length,
          maxConnections: config.torrent.maxConnections,
          downloadLimitKiB: config.torrent.downloadLimitKiB,
          uploadLimitKiB: config.torrent.uploadLimitKiB,
        },
      },
    });
  });

  const document = openApiDocument(deps.version);
  router.get('/docs.json', (_req, res) => res.json(document));
  router.get('/docs', htmlHeaders, (req, res) => {
    if (req.accepts(['html', 'json']) === 'json') return res.json(document);
    res.sendFile(path.join(deps.webDir, 'docs.html'));
  });
  router.get('/docs/docs.js', (_req, res) => res.sendFile(path.join(deps.webDir, 'docs.js')));
  router.use('/docs/assets', express.static(swaggerUiDir, { index: false, maxAge: '1d' }));
  return router;
}
