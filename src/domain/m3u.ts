/**
 * Playlists for Kodi, VLC and friends. These formats are line-based with no escaping at all, so a
 * torrent-controlled title or URL containing a line break could inject extra entries or directives.
 */

export interface PlaylistItem {
  title: string;
  url: string;
  durationSeconds?: number;
}

/** Extended M3U: `#EXTINF:<seconds>,<title>` then the URL; -1 means "unknown/stream". */
export function buildM3u(items: PlaylistItem[]): string {
  let out = '#EXTM3U\n';
  for (const item of items) {
    out += `#EXTINF:${duration(item.durationSeconds)},${oneLine(item.title)}\n${safeUrl(item.url)}\n`;
  }
  return out;
}

/** Kodi .strm: a file whose single line is the URL to play. */
export function buildStrm(url: string): string {
  return `${safeUrl(url)}\n`;
}

function duration(seconds: number | undefined): number {
  return seconds !== undefined && Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds) : -1;
}

/** Commas are fine after the first one in EXTINF; only line breaks end the title. */
function oneLine(title: string): string {
  return title.replace(/\r\n|[\r\n]/g, ' ');
}

/** Percent-encoding keeps the URL's meaning (a raw CR/LF is never valid in a URL anyway). */
function safeUrl(url: string): string {
  return url.replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
