import type { RequestListener } from 'node:http';
import type express from 'express';
import type { Config } from './config.js';
import type { Features } from './compose-features.js';
import type { Logger } from './logger.js';
import type { Metrics, MetricsExposition } from './ports/metrics.js';
import type { CacheAdminService } from './services/cache-admin.service.js';
import type { TorrentService } from './services/torrent.service.js';
import { createApp } from './http/app.js';
import { loginRoutes } from './http/auth/login.routes.js';
import { usersRoutes } from './http/auth/users.routes.js';
import { authenticate } from './http/middleware/auth.js';
import { failedAuthLimit, rateLimits } from './http/middleware/rate-limit.js';
import { cacheRoutes } from './http/cache/cache.routes.js';
import { hlsRoutes } from './http/hls/hls.routes.js';
import { kodiRoutes } from './http/kodi/kodi.routes.js';
import { playlistRoutes } from './http/kodi/playlist.routes.js';
import { posterRoutes } from './http/stremio/poster.routes.js';
import { stremioConfigureRoutes } from './http/stremio/stremio-configure.routes.js';
import { stremioRoutes } from './http/stremio/stremio.routes.js';
import { streamLane } from './http/streams/stream-lane.js';
import { streamRoutes } from './http/streams/stream.routes.js';
import { subtitleRoutes } from './http/streams/subtitle.routes.js';
import { metricsRoutes } from './http/system/metrics.routes.js';
import { systemRoutes } from './http/system/system.routes.js';
import { eventsRoutes } from './http/torrents/events.routes.js';
import { torrentListData, torrentRoutes } from './http/torrents/torrent.routes.js';
import { webRoutes } from './http/web/web.routes.js';

export interface HttpServices extends Features {
  torrents: TorrentService;
  cacheAdmin: CacheAdminService;
}

export interface HttpSettings {
  config: Config;
  logger: Logger;
  version: string;
  webDir: string;
  metrics: Metrics & MetricsExposition;
}

/**
 * What the HTTP server runs: the stream lane (players' stream reads on plain node:http) in front of the
 * Express app, which answers everything else.
 */
export function composeHttp(
  s: HttpServices,
  settings: HttpSettings,
): { app: express.Express; listener: RequestListener } {
  const app = composeApp(s, settings);
  const { logger, metrics, config } = settings;
  const listener = streamLane(
    { streams: s.streams, users: s.users, metrics, auth: s.auth, logger, nodeId: config.node.id },
    app,
  );
  return { app, listener };
}

/** Every router of the app, in mount order: this list is the whole HTTP surface. */
function composeApp(s: HttpServices, { config, logger, version, webDir, metrics }: HttpSettings): express.Express {
  return createApp(
    [
      loginRoutes(s.auth),
      usersRoutes(s.users),
      systemRoutes({ config, version, startedAt: Date.now(), torrents: s.torrents, cache: s.cacheAdmin, webDir }),
      torrentRoutes({ addTorrent: s.addTorrent, library: s.library, torrents: s.torrents }),
      // Before streamRoutes: /stream/probe/:hash/:index would match its /stream/:hash/:index/:name shape.
      hlsRoutes(s.media.hls, s.media.probes),
      streamRoutes(s.streams, s.library, s.users, metrics),
      cacheRoutes(s.cacheAdmin, s.library),
      eventsRoutes(() => torrentListData(s.library, s.torrents), logger),
      kodiRoutes(s.playback, config.publicUrl),
      playlistRoutes(s.library, config.publicUrl),
      webRoutes(webDir),
      stremioRoutes({
        config,
        logger,
        version,
        manifest: s.addonManifest,
        catalog: s.addonCatalog,
        streams: s.addonStreams,
      }),
      stremioConfigureRoutes(config),
      subtitleRoutes(s.streams),
      posterRoutes(s.library),
    ],
    logger,
    {
      guards: [
        ...failedAuthLimit(config.http.authFailureLimit, s.rateLimitStore?.('auth-failures')),
        // Before authentication: a METRICS_TOKEN is not an API token (the route checks both itself).
        metricsRoutes({ metrics, auth: s.auth, metricsToken: config.auth.metricsToken }),
        authenticate(s.auth),
        ...rateLimits({
          apiPerMinute: config.http.apiRateLimit,
          addsPerMinute: config.http.addRateLimit,
          ...(s.rateLimitStore ? { store: s.rateLimitStore } : {}),
        }),
      ],
      trustProxy: config.http.trustProxy,
      corsOrigins: config.http.apiCorsOrigins,
      nodeId: config.node.id,
      metrics,
    },
  );
}
