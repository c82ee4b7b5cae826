import type { Router } from 'express';
import { readManifestTemplate } from '../adapters/manifest-file.js';
import { StremioUpstreamClient } from '../adapters/stremio-upstream-client.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { AddonCatalogService } from '../services/addon-catalog.service.js';
import { AddonStreamsService } from '../services/addon-streams.service.js';
import type { CacheService } from '../services/cache.service.js';
import type { ImdbLinkService } from '../services/imdb-link.service.js';
import type { LibraryService } from '../services/library.service.js';
import type { StreamService } from '../services/stream.service.js';
import { posterRoutes } from './poster.routes.js';
import { stremioConfigureRoutes } from './stremio-configure.routes.js';
import { stremioRoutes } from './stremio.routes.js';
import { subtitleRoutes } from './subtitle.routes.js';

export interface StremioFeatureDeps {
  config: Config;
  logger: Logger;
  version: string;
  library: LibraryService;
  streams: StreamService;
  cache: CacheService;
  imdbLinks: ImdbLinkService;
}

/** The Stremio addon (manifest, catalog, meta, streams), its /configure page and the VTT subtitles and posters it links to. */
export function stremioFeature(deps: StremioFeatureDeps): Router[] {
  const streams = new AddonStreamsService({
    library: deps.library,
    cacheIndex: deps.cache.index,
    links: deps.imdbLinks,
    upstream: new StremioUpstreamClient(),
    upstreams: deps.config.addon.upstreams,
    logger: deps.logger,
  });
  return [
    stremioRoutes({
      config: deps.config,
      logger: deps.logger,
      version: deps.version,
      manifest: readManifestTemplate('stremio.manifest.json'),
      catalog: new AddonCatalogService(deps.library),
      streams,
    }),
    stremioConfigureRoutes(deps.config),
    subtitleRoutes(deps.streams),
    posterRoutes(deps.library),
  ];
}
