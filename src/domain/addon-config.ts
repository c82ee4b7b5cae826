import { createHash } from 'node:crypto';

/**
 * The user options of a configured install (`/<config>/manifest.json`). stremio-addon-sdk hands the
 * path segment over already JSON-parsed (or `false` when it is not JSON), so the wire format is the
 * SDK's own: URL-encoded JSON. Anything unexpected falls back to the defaults rather than failing:
 * a Stremio client cannot show an error for a broken install URL.
 */
export interface AddonConfig {
  /** Only streams whose file is already in the disk cache. */
  cachedOnly: boolean;
  /** Keys (see `upstreamKey`) of the upstream addons to ask; undefined = every configured one. */
  upstreams: readonly string[] | undefined;
}

export const DEFAULT_ADDON_CONFIG: AddonConfig = Object.freeze({ cachedOnly: false, upstreams: undefined });

// HTML checkboxes submit "on"; the SDK's generated form uses "checked"; JSON clients send true.
const TRUE_VALUES = new Set([true, 'true', 'on', 'checked', '1', 'yes']);

export function parseAddonConfig(raw: unknown): AddonConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return DEFAULT_ADDON_CONFIG;
  const { cachedOnly, upstreams } = raw as Record<string, unknown>;
  let keys: string[] | undefined;
  if (Array.isArray(upstreams)) keys = upstreams.filter((k): k is string => typeof k === 'string');
  else if (typeof upstreams === 'string')
    keys = upstreams
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean);
  return { cachedOnly: TRUE_VALUES.has(cachedOnly as string | boolean), upstreams: keys };
}

/** The path segment of a configured install URL; defaults are left out to keep URLs short. */
export function encodeAddonConfig(config: AddonConfig): string {
  const body: Record<string, unknown> = {};
  if (config.cachedOnly) body.cachedOnly = true;
  if (config.upstreams !== undefined) body.upstreams = config.upstreams;
  return encodeURIComponent(JSON.stringify(body));
}

/**
 * A short, stable name for an upstream. Upstream URLs often carry the user's own tokens (debrid keys
 * in the path), so they must never appear in install URLs that get shared: a hash prefix does not leak them.
 */
export function upstreamKey(manifestUrl: string): string {
  return createHash('sha256').update(manifestUrl).digest('hex').slice(0, 10);
}

/** What a person may see of an upstream: its host only, for the same reason. */
export function upstreamLabel(manifestUrl: string): string {
  try {
    return new URL(manifestUrl).host;
  } catch {
    return 'upstream';
  }
}

export function selectUpstreams(all: readonly string[], config: AddonConfig): string[] {
  if (config.upstreams === undefined) return [...all];
  const wanted = new Set(config.upstreams);
  return all.filter((url) => wanted.has(upstreamKey(url)));
}
