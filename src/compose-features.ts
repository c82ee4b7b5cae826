import path from 'node:path';
import { JsonImdbLinkStore } from './adapters/json-imdb-link-store.js';
import { KodiJsonRpcClient } from './adapters/kodi-jsonrpc-client.js';
import { readManifestTemplate } from './adapters/manifest-file.js';
import { StremioUpstreamClient } from './adapters/stremio-upstream-client.js';
import { GuardedHttpClient } from './adapters/guarded-http-client.js';
import { HttpTorrentFileFetcher } from './adapters/torrent-url-fetcher.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Clock } from './ports/clock.js';
import type { FileStore } from './ports/file-store.js';
import { AddTorrentService } from './services/add-torrent.service.js';
import { AddonCatalogService } from './services/addon-catalog.service.js';
import { AddonStreamsService } from './services/addon-streams.service.js';
import type { CacheService } from './services/cache.service.js';
import { ImdbLinkService } from './services/imdb-link.service.js';
import { LibraryService } from './services/library.service.js';
import { PlaybackService } from './services/playback.service.js';
import type { TorrentService } from './services/torrent.service.js';
import { StreamService } from './services/stream.service.js';
import { PeerHttpReader } from './adapters/peer-http-reader.js';
import { RedisImdbLinkStore } from './adapters/redis-imdb-link-store.js';
import { RedisRateLimitStore } from './adapters/redis-rate-limit-store.js';
import { createUserStore } from './adapters/user-store-factory.js';
import { composeHls } from './compose-hls.js';
import { AuthService } from './services/auth.service.js';
import { UsersService } from './services/users.service.js';

/**
 * The services on top of the torrents and the cache: the library and its add use case, streaming,
 * the IMDb links, Kodi playback and the Stremio addon's catalog and streams.
 */
export async function composeFeatures(
  config: Config,
  torrents: TorrentService,
  cache: CacheService,
  files: FileStore,
  clock: Clock,
  logger: Logger,
) {
  // Users live beside the cache index (SQLite file, Redis, or a JSON file for the memory backend).
  const userStore = await createUserStore(config);
  const auth = new AuthService(config.auth.apiToken, userStore);
  const users = new UsersService(userStore, clock, auth.enabled);
  // One outbound client for every URL the server fetches; the configured Kodi is trusted wherever it is.
  const kodiOrigin = config.kodi.url ? new URL(config.kodi.url) : undefined;
  const kodiHostPort = kodiOrigin
    ? [`${kodiOrigin.hostname}:${kodiOrigin.port || (kodiOrigin.protocol === 'https:' ? '443' : '80')}`]
    : [];
  const outbound = new GuardedHttpClient({
    allowPrivate: config.fetch.allowPrivate,
    allow: [...config.fetch.allow, ...kodiHostPort],
  });
  const library = new LibraryService(torrents, cache);
  // With Redis, a file another instance holds is streamed from that instance (README "Several instances").
  const peers =
    config.cache.backend === 'redis'
      ? new PeerHttpReader({ node: config.node.id, apiToken: config.auth.apiToken })
      : undefined;
  const streams = new StreamService(torrents, cache, files, peers);
  const redisOptions = {
    url: config.redis.url,
    keyPrefix: config.redis.keyPrefix,
    ...(config.redis.password ? { password: config.redis.password } : {}),
  };
  // IMDb links live with the index: in Redis for a cluster, else in a JSON file beside the cache db.
  const redisLinks = config.cache.backend === 'redis' ? await RedisImdbLinkStore.connect(redisOptions) : undefined;
  const imdbLinks = new ImdbLinkService(
    redisLinks ?? new JsonImdbLinkStore(path.join(path.dirname(config.cache.dbPath), 'imdb-links.json'), logger),
    library,
    clock,
  );
  const addTorrent = new AddTorrentService(torrents, cache, new HttpTorrentFileFetcher(outbound), imdbLinks, users);
  const playback = new PlaybackService(
    library,
    (target) => new KodiJsonRpcClient(target, outbound),
    config.kodi,
    logger,
  );
  if (playback.configured) torrents.onFileDone(playback.notifyFileDone);
  const addonCatalog = new AddonCatalogService(library);
  const media = composeHls(config, streams, logger);
  const addonStreams = new AddonStreamsService({
    library,
    cache,
    links: imdbLinks,
    upstream: new StremioUpstreamClient(outbound),
    upstreams: config.addon.upstreams,
    logger,
    probes: media.probes,
  });
  const addonManifest = readManifestTemplate('stremio.manifest.json');
  // Rate-limit counters are shared by every instance on one Redis; one store per limiter, one connection.
  const rateConnection = config.cache.backend === 'redis' ? RedisRateLimitStore.connection(redisOptions) : undefined;
  const rateLimitStore = rateConnection
    ? (limiter: string) => new RedisRateLimitStore(rateConnection, limiter)
    : undefined;
  const close = async () => {
    await media.hls.close();
    await userStore.close();
    await rateConnection?.close();
    await redisLinks?.close();
  };
  return {
    library,
    streams,
    imdbLinks,
    addTorrent,
    playback,
    addonCatalog,
    addonStreams,
    addonManifest,
    auth,
    users,
    rateLimitStore,
    media,
    close,
  };
}

export type Features = Awaited<ReturnType<typeof composeFeatures>>;
