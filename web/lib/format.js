/** Display helpers shared by both pages. Pure functions: no DOM. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 -> "1.5 KB". Decimal-free below 10 units so columns do not jitter as values change. */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  const exp = Math.min(UNITS.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  const value = bytes / 1024 ** exp;
  return `${value >= 10 || exp === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[exp]}`;
}

export const formatSpeed = (bytesPerSecond) => `${formatBytes(bytesPerSecond)}/s`;

/** Milliseconds -> "2 h 5 min", "4 min 10 s", "12 s"; null (unknown) -> "—". */
export function formatEta(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms <= 0) return 'done';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${s % 60} s`;
  const h = Math.floor(min / 60);
  return h < 48 ? `${h} h ${min % 60} min` : `${Math.floor(h / 24)} days`;
}

/** Server progress is a string with two decimals ("45.23"); bars want a number in 0..100. */
export function percent(progress) {
  const value = Number.parseFloat(progress);
  return Number.isFinite(value) ? Math.max(0, Math.min(100, value)) : 0;
}

/** The player-friendly stream path (/stream/<hash>/<index>/<name>): players sniff the extension. */
export const playerPath = (infoHash, file) => `/stream/${infoHash}/${file.index}/${encodeURIComponent(file.name)}`;

let linkPrefix = '';

/** The signed-in token's path prefix (`/t/<token>`, from GET /api/session): copied links must carry it. */
export function setLinkPrefix(prefix) {
  linkPrefix = prefix;
}

/**
 * A path of this server as an absolute URL, for things copied out of the page (players, Kodi): with
 * the token's prefix, since a player has no cookie and sends no header.
 */
export const absolute = (path) => new URL(linkPrefix + path, window.location.href).href;
