import type { Router } from 'express';
import { KodiJsonRpcClient } from '../adapters/kodi-jsonrpc-client.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { CacheService } from '../services/cache.service.js';
import type { ImdbLinkService } from '../services/imdb-link.service.js';
import type { LibraryService } from '../services/library.service.js';
import type { StreamService } from '../services/stream.service.js';
import type { TorrentService } from '../services/torrent.service.js';
import { notifyKodiOnFileDone, PlaybackService } from '../services/playback.service.js';
import { eventsRoutes } from './events.routes.js';
import { kodiRoutes } from './kodi.routes.js';
import { playlistRoutes } from './playlist.routes.js';
import { stremioFeature } from './stremio-feature.js';
import { torrentListData } from './torrent.routes.js';
import { webRoutes } from './web.routes.js';

/** Everything a capability on top of the engine (addon, Kodi, playlists, web pages) may use. */
export interface FeatureDeps {
  config: Config;
  logger: Logger;
  version: string;
  webDir: string;
  torrents: TorrentService;
  library: LibraryService;
  streams: StreamService;
  cache: CacheService;
  /** IMDb links made on POST /api/torrents, read by the Stremio addon. */
  imdbLinks: ImdbLinkService;
}

/** The routers of the capabilities built on the core API, in mount order (before the 404 handler). */
export function featureRoutes(deps: FeatureDeps): Router[] {
  const playback = new PlaybackService(deps.library, (target) => new KodiJsonRpcClient(target), deps.config.kodi);
  notifyKodiOnFileDone(deps.torrents, playback, deps.logger); // no-op unless KODI_URL is set
  return [
    eventsRoutes(() => torrentListData(deps.library, deps.torrents), deps.logger),
    kodiRoutes(playback, deps.config.publicUrl),
    playlistRoutes(deps.library, deps.config.publicUrl),
    webRoutes(deps.webDir),
    ...stremioFeature(deps),
  ];
}
