import type { Router } from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { CacheService } from '../services/cache.service.js';
import type { LibraryService } from '../services/library.service.js';
import type { StreamService } from '../services/stream.service.js';
import type { TorrentService } from '../services/torrent.service.js';

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
}

/** The routers of the capabilities built on the core API, in mount order (before the 404 handler). */
export function featureRoutes(deps: FeatureDeps): Router[] {
  void deps;
  return [];
}
