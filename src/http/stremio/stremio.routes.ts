import { ScopedStorage } from '../../request-scope.js';
import { Router } from 'express';
import sdk from 'stremio-addon-sdk';
import type { Config } from '../../config.js';
import { parseAddonConfig } from '../../domain/addon-config.js';
import { DomainError } from '../../domain/errors.js';
import { parseAddonId } from '../../domain/stremio-ids.js';
import type { Logger } from '../../logger.js';
import type { AddonCatalogService } from '../../services/addon-catalog.service.js';
import type { AddonStreamsService } from '../../services/addon-streams.service.js';
import { posterPath } from '../shared/links.js';
import { publicBaseUrl } from '../shared/public-url.js';
import { LONG_MAX_AGE, SHORT_MAX_AGE, streamsMaxAge, toStremioStreams } from './stremio-streams.js';

export const CATALOG_ID = 'tss-my-torrents';

/** Only these paths go to the SDK router; its catch-all `/:config/...` shapes must not see anything else. */
const ADDON_PATH = /^\/(?:[^/]+\/)?(?:manifest\.json|(?:catalog|meta|stream)\/[^/]+\/[^/]+(?:\/[^/]+)?\.json)$/;

export interface StremioRouteDeps {
  config: Config;
  logger: Logger;
  version: string;
  manifest: Record<string, unknown>;
  catalog: AddonCatalogService;
  streams: AddonStreamsService;
}

/** The SDK's way to say "not mine": its router then calls next(), and our JSON 404 answers. */
const notHandled = () => Promise.reject({ noHandler: true });

/**
 * The Stremio addon: built with the SDK's addonBuilder and served by its getRouter() inside our app
 * (never serveHTTP, which would start a second server). The SDK hands handlers no request, yet stream
 * URLs must be absolute for this request's host, so the base URL travels in an AsyncLocalStorage.
 */
export function stremioRoutes(deps: StremioRouteDeps): Router {
  const { logger } = deps;
  const requestBase = new ScopedStorage<string>();
  const builder = new sdk.addonBuilder({ ...(deps.manifest as unknown as sdk.Manifest), version: deps.version });
  const base = () => requestBase.getStore() ?? deps.config.publicUrl ?? '';
  // Stremio shows a placeholder for items without a poster; ours is generated from the torrent's name.
  const withPoster = <M extends object>(meta: M, infoHash: string) => ({
    ...meta,
    poster: `${base()}${posterPath(infoHash)}`,
    posterShape: 'poster' as const,
  });

  const guard =
    (what: string, handler: sdk.Handler): sdk.Handler =>
    async (args) => {
      try {
        return await handler(args);
      } catch (err) {
        if (err instanceof DomainError && (err.code === 'NOT_FOUND' || err.code === 'INVALID_INPUT'))
          return notHandled();
        if ((err as { noHandler?: boolean }).noHandler) throw err;
        logger.error({ err, resource: what, id: args.id }, 'stremio handler failed');
        throw err;
      }
    };

  builder.defineCatalogHandler(
    guard('catalog', async ({ id, extra }) => {
      if (id !== CATALOG_ID) return notHandled();
      const skip = Math.max(0, Number.parseInt(extra.skip ?? '0', 10) || 0);
      const metas = await deps.catalog.catalog(skip);
      return {
        metas: metas.map((meta) => {
          const parsed = parseAddonId(meta.id);
          return parsed?.kind === 'btih' ? withPoster(meta, parsed.infoHash) : meta;
        }),
        cacheMaxAge: SHORT_MAX_AGE,
      };
    }),
  );

  builder.defineMetaHandler(
    guard('meta', async ({ id }) => {
      const parsed = parseAddonId(id);
      if (parsed?.kind !== 'btih' || parsed.fileIndex !== undefined) return notHandled();
      const { meta, cached } = await deps.catalog.meta(parsed.infoHash);
      return { meta: withPoster(meta, parsed.infoHash), cacheMaxAge: cached ? LONG_MAX_AGE : SHORT_MAX_AGE };
    }),
  );

  builder.defineStreamHandler(
    guard('stream', async ({ type, id, config }) => {
      const parsed = parseAddonId(id);
      if (!parsed) return { streams: [], cacheMaxAge: LONG_MAX_AGE };
      const answer = await deps.streams.streams(type, parsed, parseAddonConfig(config));
      return { streams: toStremioStreams(answer, base()), cacheMaxAge: streamsMaxAge(answer) };
    }),
  );

  const addon = sdk.getRouter(builder.getInterface());
  const router = Router();
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !ADDON_PATH.test(req.path)) return next();
    requestBase.run(publicBaseUrl(req, deps.config.publicUrl), res, () => addon(req, res, next));
  });
  return router;
}
