import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TRACKERS } from './domain/default-trackers.js';
import type { CacheBackend } from './ports/cache-index.js';

/**
 * The only module that reads the environment. Every variable is validated and defaulted here;
 * a bad value stops start-up with one message naming every bad variable.
 */
export interface Config {
  port: number;
  /** Without API_TOKEN and without HOST, 127.0.0.1: an open server is only reachable from this machine. */
  host: string;
  nodeEnv: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  publicUrl: string | undefined;
  downloadDir: string;
  cache: {
    backend: CacheBackend;
    ttlSeconds: number;
    maxSize: number;
    maxDiskMb: number;
    minFreeMb: number;
    cleanupIntervalSeconds: number;
    cleanupCron: string | undefined;
    orphanGraceSeconds: number;
    persistent: boolean;
    dbPath: string;
  };
  redis: { url: string; password: string | undefined; keyPrefix: string };
  /** This instance among several on one Redis (README "Several instances"). */
  node: {
    /** NODE_ID, default the hostname: recorded on every cache entry this instance's disk holds. */
    id: string;
    /** NODE_URL: where the other instances reach this one; undefined = http://127.0.0.1:<the port it listens on>. */
    url: string | undefined;
    /** LEASE_TTL_MS: a reader's lease in Redis lives this long unless its heartbeat renews it (every third of it). */
    leaseTtlMs: number;
  };
  torrent: {
    timeoutMs: number;
    maxRetries: number;
    maxConnections: number;
    /** KiB/s, 0 = unlimited. */
    downloadLimitKiB: number;
    uploadLimitKiB: number;
    dht: boolean;
    /** TORRENT_UTP: uTP beside TCP (raced dials); false = TCP only. */
    utp: boolean;
    /** TORRENT_DHT_BOOTSTRAP: host:port routers to join the DHT through; undefined = the public ones. */
    dhtBootstrap: readonly string[] | undefined;
    /** Port for incoming peer connections; 0 = any free port. */
    peerPort: number;
    /** Seconds before a torrent a stream started, unfinished and unread, is stopped; 0 = never. */
    idleTimeoutSeconds: number;
    /** At most this many torrents run at once; the next add answers 429. */
    maxActive: number;
    trackers: readonly string[];
  };
  addon: { upstreams: readonly string[] };
  kodi: { url: string | undefined; username: string | undefined; password: string | undefined };
  auth: {
    /** API_TOKEN: the admin's token; undefined = no authentication (and a warning at start). */
    apiToken: string | undefined;
    /** METRICS_TOKEN: a Bearer token that may read GET /metrics and nothing else. */
    metricsToken: string | undefined;
  };
  http: {
    /** CORS_ORIGIN for /api routes: '*' or a list of origins (stream and addon routes always allow any origin). */
    apiCorsOrigins: readonly string[];
    /** Requests per minute per client on /api (0 = no limit). */
    apiRateLimit: number;
    /** Adds (POST /api/torrents) per minute per client (0 = no limit). */
    addRateLimit: number;
    /** Wrong tokens per minute per address before 429 (0 = no limit). */
    authFailureLimit: number;
    /** TRUST_PROXY: which peers' X-Forwarded-For is believed (Express's `trust proxy`), default loopback. */
    trustProxy: string;
    /**
     * ms for a whole request, head and body, to arrive (Node's `requestTimeout`). It never limits a long
     * streaming *response*: Node stops the clock once the request is in (test/integration/slow-clients).
     */
    requestTimeoutMs: number;
    /** ms for the request head to arrive; at most requestTimeoutMs. */
    headersTimeoutMs: number;
    /** Open connections per client address (0 = no cap); trusted proxies (TRUST_PROXY) are not capped. */
    maxConnectionsPerIp: number;
    /** Open connections in all (0 = no cap). */
    maxConnections: number;
  };
  /** Outbound requests (a .torrent URL, upstream addons, Kodi): private addresses are refused unless allowed. */
  fetch: { allowPrivate: boolean; allow: readonly string[] };
  /** Browser playback: on-demand HLS made by ffmpeg (README "Browser playback (HLS)"). */
  hls: {
    /** At most this many ffmpeg processes at once (default: one per core); beyond, 503 with Retry-After. */
    maxJobs: number;
    maxHeight: number;
    preset: string;
    segmentSeconds: number;
    /** Seconds without a request before a job is killed and its segments removed. */
    idleTimeoutSeconds: number;
    ffmpegPath: string;
    ffprobePath: string;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  private raw(key: string): string | undefined {
    const value = this.env[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(key: string, fallback: string): string {
    return this.raw(key) ?? fallback;
  }

  optional(key: string): string | undefined {
    return this.raw(key);
  }

  int(key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < min || n > max) {
      this.problems.push(`${key}="${value}" must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.raw(key)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${key}="${value}" must be true or false`);
    return fallback;
  }

  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const value = this.raw(key)?.toLowerCase();
    if (value === undefined) return fallback;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${key}="${value}" must be one of ${choices.join(', ')}`);
    return fallback;
  }

  url(key: string, protocols: readonly string[]): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (protocols.includes(parsed.protocol)) return value.replace(/\/+$/, '');
    } catch {
      // reported below
    }
    this.problems.push(`${key}="${value}" must be an absolute ${protocols.join(' or ')} URL`);
    return undefined;
  }

  /** A comma-separated list; `undefined` when the variable is not set at all (so "" can mean "empty"). */
  list(key: string): string[] | undefined {
    const value = this.env[key];
    if (value === undefined) return undefined;
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
}

const CRON_FIELD = /^[\d*/,\-A-Za-z?LW#]+$/;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const r = new Reader(env);
  const downloadDir = path.resolve(cwd, r.string('DOWNLOAD_DIR', './data/downloads'));
  const cleanupCron = r.optional('CACHE_CLEANUP_CRON');
  if (cleanupCron !== undefined) {
    const fields = cleanupCron.split(/\s+/);
    if (fields.length < 5 || fields.length > 6 || !fields.every((f) => CRON_FIELD.test(f))) {
      r.problems.push(`CACHE_CLEANUP_CRON="${cleanupCron}" must be a cron expression of 5 or 6 fields`);
    }
  }
  const trackers = r.list('TORRENT_TRACKERS');
  for (const t of trackers ?? []) {
    if (!/^(udp|https?|wss?):\/\/[^\s]+$/i.test(t))
      r.problems.push(`TORRENT_TRACKERS has "${t}", which is not a udp/http(s)/ws(s) tracker URL`);
  }
  const upstreams = r.list('ADDON_UPSTREAMS') ?? [];
  for (const u of upstreams) {
    if (!/^https?:\/\/\S+\/manifest\.json$/i.test(u))
      r.problems.push(`ADDON_UPSTREAMS has "${u}", which is not an http(s) URL ending in /manifest.json`);
  }

  const apiToken = r.optional('API_TOKEN');
  if (apiToken !== undefined && (apiToken.length < 16 || /\s|\//.test(apiToken))) {
    r.problems.push('API_TOKEN must be at least 16 characters without spaces or "/" (e.g. `openssl rand -hex 24`)');
  }
  const metricsToken = r.optional('METRICS_TOKEN');
  if (metricsToken !== undefined && (metricsToken.length < 16 || /\s/.test(metricsToken))) {
    r.problems.push('METRICS_TOKEN must be at least 16 characters without spaces (e.g. `openssl rand -hex 24`)');
  }
  const corsOrigins = r.list('CORS_ORIGIN') ?? ['*'];
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/i.test(origin))
      r.problems.push(`CORS_ORIGIN has "${origin}", which is not * or an origin like https://app.example`);
  }
  const dhtBootstrap = r.list('TORRENT_DHT_BOOTSTRAP');
  for (const node of dhtBootstrap ?? []) {
    if (!/^[a-z0-9.-]+:\d{1,5}$/i.test(node))
      r.problems.push(`TORRENT_DHT_BOOTSTRAP has "${node}", which is not host:port`);
  }
  if (dhtBootstrap?.length === 0)
    r.problems.push('TORRENT_DHT_BOOTSTRAP is empty: leave it unset for the public routers, or set TORRENT_DHT=false');
  const fetchAllow = r.list('FETCH_ALLOW') ?? [];
  for (const entry of fetchAllow) {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d{1,5}$/i.test(entry))
      r.problems.push(`FETCH_ALLOW has "${entry}", which is not host:port`);
  }

  // Not 0: a request that may take forever to arrive is how slow clients hold sockets open.
  const requestTimeoutMs = r.int('HTTP_REQUEST_TIMEOUT', 30_000, 1000, 3_600_000);
  const headersTimeoutMs = r.int('HTTP_HEADERS_TIMEOUT', 10_000, 1000, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs)
    r.problems.push(
      `HTTP_HEADERS_TIMEOUT=${headersTimeoutMs} must not exceed HTTP_REQUEST_TIMEOUT=${requestTimeoutMs} (the head is part of the request)`,
    );

  const config: Config = {
    port: r.int('PORT', 7000, 0, 65535),
    host: r.string('HOST', apiToken ? '0.0.0.0' : '127.0.0.1'),
    nodeEnv: r.string('NODE_ENV', 'development'),
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    publicUrl: r.url('PUBLIC_URL', ['http:', 'https:']),
    downloadDir,
    cache: {
      backend: r.oneOf('CACHE_BACKEND', ['memory', 'sqlite', 'redis'] as const, 'sqlite'),
      ttlSeconds: r.int('CACHE_TTL', 3600, 0),
      maxSize: r.int('CACHE_MAX_SIZE', 1000, 1),
      maxDiskMb: r.int('CACHE_MAX_DISK_MB', 5000, 1),
      minFreeMb: r.int('CACHE_MIN_FREE_MB', 500, 0),
      cleanupIntervalSeconds: r.int('CACHE_CLEANUP_INTERVAL', 300, 1, 86400),
      cleanupCron,
      orphanGraceSeconds: r.int('CACHE_ORPHAN_GRACE', 600, 0),
      persistent: r.bool('CACHE_PERSISTENT', false),
      dbPath: path.resolve(cwd, r.string('CACHE_DB_PATH', './data/cache.db')),
    },
    redis: {
      url: r.url('REDIS_URL', ['redis:', 'rediss:']) ?? 'redis://127.0.0.1:6379',
      password: r.optional('REDIS_PASSWORD'),
      keyPrefix: r.string('REDIS_KEY_PREFIX', 'tss:'),
    },
    node: {
      id: r.string('NODE_ID', os.hostname()),
      url: r.url('NODE_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
      leaseTtlMs: r.int('LEASE_TTL_MS', 30_000, 300, 3_600_000),
    },
    torrent: {
      timeoutMs: r.int('TORRENT_TIMEOUT', 60000, 100),
      maxRetries: r.int('TORRENT_MAX_RETRIES', 3, 0, 20),
      maxConnections: r.int('TORRENT_MAX_CONNECTIONS', 25, 1, 1000),
      downloadLimitKiB: r.int('TORRENT_DOWNLOAD_LIMIT', 0, 0),
      uploadLimitKiB: r.int('TORRENT_UPLOAD_LIMIT', 0, 0),
      dht: r.bool('TORRENT_DHT', true),
      utp: r.bool('TORRENT_UTP', true),
      dhtBootstrap: dhtBootstrap ? Object.freeze(dhtBootstrap) : undefined,
      peerPort: r.int('TORRENT_PORT', 6881, 0, 65535),
      idleTimeoutSeconds: r.int('TORRENT_IDLE_TIMEOUT', 1800, 0),
      maxActive: r.int('TORRENT_MAX_ACTIVE', 20, 1, 10_000),
      trackers: Object.freeze(trackers ?? [...DEFAULT_TRACKERS]),
    },
    addon: { upstreams: Object.freeze(upstreams) },
    kodi: {
      url: r.url('KODI_URL', ['http:', 'https:']),
      username: r.optional('KODI_USERNAME'),
      password: r.optional('KODI_PASSWORD'),
    },
    fetch: { allowPrivate: r.bool('FETCH_ALLOW_PRIVATE', false), allow: Object.freeze(fetchAllow) },
    auth: { apiToken, metricsToken },
    hls: {
      maxJobs: r.int('HLS_MAX_JOBS', Math.max(1, os.cpus().length), 1, 256),
      maxHeight: r.int('HLS_MAX_HEIGHT', 1080, 144, 4320),
      preset: r.oneOf(
        'HLS_PRESET',
        ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const,
        'veryfast',
      ),
      segmentSeconds: r.int('HLS_SEGMENT_SECONDS', 4, 1, 30),
      idleTimeoutSeconds: r.int('HLS_IDLE_TIMEOUT', 30, 1, 3600),
      ffmpegPath: r.string('FFMPEG_PATH', 'ffmpeg'),
      ffprobePath: r.string('FFPROBE_PATH', 'ffprobe'),
    },
    http: {
      apiCorsOrigins: Object.freeze(corsOrigins),
      apiRateLimit: r.int('RATE_LIMIT_API', 600, 0),
      addRateLimit: r.int('RATE_LIMIT_ADDS', 30, 0),
      trustProxy: r.string('TRUST_PROXY', 'loopback'),
      authFailureLimit: r.int('RATE_LIMIT_AUTH_FAILURES', 30, 0),
      requestTimeoutMs,
      headersTimeoutMs,
      // A player opens a handful of connections, a dashboard a few more.
      maxConnectionsPerIp: r.int('HTTP_MAX_CONNECTIONS_PER_IP', 64, 0, 1_000_000),
      maxConnections: r.int('HTTP_MAX_CONNECTIONS', 2048, 0, 1_000_000),
    },
  };
  // It is part of Redis keys (colon-separated) and of the X-Node header.
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(config.node.id))
    r.problems.push(`NODE_ID="${config.node.id}" must be 1-64 letters, digits, '.', '_' or '-'`);
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

/** Loads `.env` from the working directory into the environment if it exists (real env wins). */
export function loadDotEnvFile(cwd = process.cwd()): void {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return;
  const before = { ...process.env };
  process.loadEnvFile(file);
  Object.assign(process.env, before);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
