import type { Express } from 'express';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scheduleJob } from './adapters/cron-scheduler.js';
import { systemClock } from './adapters/system-clock.js';
import { PrometheusMetrics } from './adapters/prometheus-metrics.js';
import { WebTorrentEngine } from './adapters/webtorrent-engine.js';
import { composeCache } from './compose-cache.js';
import { composeFeatures } from './compose-features.js';
import { composeHttp } from './compose-http.js';
import type { Config } from './config.js';
import { applyServerLimits, serverOptions, type ServerLimits } from './http-server-limits.js';
import type { Logger } from './logger.js';
import type { Clock } from './ports/clock.js';
import type { TorrentEngine } from './ports/torrent-engine.js';
import type { CacheCleaner } from './services/cache-cleaner.service.js';
import type { CacheService } from './services/cache.service.js';
import { isIndexUnavailable } from './services/guarded-cache-index.js';
import { TorrentService } from './services/torrent.service.js';
import { metricsSources } from './compose-metrics.js';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_DIR = path.join(rootDir, 'web');
export const VERSION: string = (
  JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as { version: string }
).version;

export interface ServerOptions {
  logger: Logger;
  clock?: Clock;
  /** LSD and NAT traversal; tests on a loopback swarm turn them off. */
  lanFeatures?: boolean;
  engine?: TorrentEngine;
}

export interface RunningServer {
  server: Server;
  /** The Express app behind the stream lane (tests walk its routes). */
  app: Express;
  url: string;
  torrents: TorrentService;
  cache: CacheService;
  cleaner: CacheCleaner;
  close(): Promise<void>;
}

/**
 * The composition root as a function: config -> adapters -> services -> app. main.ts calls it
 * with the real environment; integration tests call it with their own config on port 0. Every
 * adapter and service is built here or in the compose-*.ts files beside it, and nowhere else.
 */
export async function startServer(config: Config, options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  mkdirSync(config.downloadDir, { recursive: true });
  const engine =
    options.engine ??
    new WebTorrentEngine({
      downloadDir: config.downloadDir,
      trackers: config.torrent.trackers,
      dht: config.torrent.dht,
      utp: config.torrent.utp,
      dhtBootstrap: config.torrent.dhtBootstrap,
      maxConnections: config.torrent.maxConnections,
      downloadLimitKiB: config.torrent.downloadLimitKiB,
      uploadLimitKiB: config.torrent.uploadLimitKiB,
      peerPort: config.torrent.peerPort,
      lanFeatures: options.lanFeatures ?? true,
      stallTimeoutMs: config.torrent.timeoutMs,
      logger,
    });
  // A taken TORRENT_PORT must stop start-up with one clear line, not leave a server whose every add fails.
  try {
    await engine.listening();
  } catch (err) {
    await engine.destroy();
    throw err;
  }
  const clock = options.clock ?? systemClock;
  const torrents = new TorrentService(
    engine,
    clock,
    { timeoutMs: config.torrent.timeoutMs, maxRetries: config.torrent.maxRetries, maxActive: config.torrent.maxActive },
    logger,
  );

  const { cache, cleaner, admin, node, files, close: closeCache } = await composeCache(config, torrents, clock, logger);
  const features = await composeFeatures(config, torrents, cache, files, clock, logger);
  if (!features.auth.enabled) {
    logger.warn(
      { host: config.host },
      'API_TOKEN is not set: anyone who can reach this server can use it (set API_TOKEN before exposing it)',
    );
  }
  await features.media.hls.start();
  const { app, listener } = composeHttp(
    { ...features, torrents, cacheAdmin: admin },
    {
      config,
      logger,
      version: VERSION,
      webDir: WEB_DIR,
      metrics: new PrometheusMetrics(metricsSources(torrents, cache)),
    },
  );

  // One maintenance job: cache limits, then torrents a stream started that nobody watches any more.
  const job = scheduleJob(
    'maintenance',
    config.cache.cleanupCron
      ? { cron: config.cache.cleanupCron }
      : { everySeconds: config.cache.cleanupIntervalSeconds },
    async () => {
      try {
        await cleaner.cleanup();
        await torrents.stopIdle(config.torrent.idleTimeoutSeconds * 1000);
      } catch (err) {
        // An unreachable index is logged once by its guard; the next run tries again.
        if (isIndexUnavailable(err)) logger.debug('cache cleanup skipped: the index is unreachable');
        else logger.error({ err }, 'cache cleanup failed');
      }
    },
    { debug: (m) => logger.debug(m), error: (m) => logger.error(m) },
  );

  // Built here rather than by app.listen: Node takes how often it checks request deadlines only at
  // creation. requestTimeout bounds receiving a request, never a long streaming response.
  const trusted = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  const { requestTimeoutMs, headersTimeoutMs, maxConnectionsPerIp, maxConnections } = config.http;
  const limits: ServerLimits = {
    requestTimeoutMs,
    headersTimeoutMs,
    maxConnectionsPerIp,
    maxConnections,
    // A trusted proxy (TRUST_PROXY, loopback by default) speaks for many clients: not capped per address.
    exempt: (address) => trusted(address, 0),
  };
  const server = createHttpServer(serverOptions(limits), listener);
  applyServerLimits(server, limits, logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  node.listening(url); // the default NODE_URL, known only now when PORT=0
  // Start-up hygiene runs in the background (cache hits re-check their file anyway): drop this node's entries
  // whose files are gone, then put back files whose entries are gone (a lost or corrupt index). After listen:
  // the entries it writes carry this node's URL.
  cache
    .dropMissingFiles()
    .then(() => cache.rebuild((infoHash) => torrents.has(infoHash)))
    .catch((err: unknown) => {
      if (isIndexUnavailable(err)) logger.warn('start-up cache check skipped: the index is unreachable');
      else logger.error({ err }, 'start-up cache check failed');
    });
  features.media.locator.setBase(/^(0\.0\.0\.0|::)$/.test(config.host) ? `http://127.0.0.1:${port}` : url);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      server.closeIdleConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await job.stop();
      await torrents.shutdown();
      server.closeAllConnections();
      await closed;
      await closeCache();
      await features.close();
    })();
    return closing;
  };
  return { server, app, url, torrents, cache, cleaner, close };
}
