/**
 * File-name based media types. Torrents carry no Content-Type, so the extension is all we have; players
 * (browsers especially) refuse or misplay streams served as application/octet-stream.
 */

export type MediaKind = 'video' | 'audio' | 'subtitle' | 'other';

const TYPES: Readonly<Record<string, readonly [mime: string, kind: MediaKind]>> = {
  mp4: ['video/mp4', 'video'],
  m4v: ['video/x-m4v', 'video'],
  mkv: ['video/x-matroska', 'video'],
  webm: ['video/webm', 'video'],
  avi: ['video/x-msvideo', 'video'],
  mov: ['video/quicktime', 'video'],
  flv: ['video/x-flv', 'video'],
  wmv: ['video/x-ms-wmv', 'video'],
  mpg: ['video/mpeg', 'video'],
  mpeg: ['video/mpeg', 'video'],
  ts: ['video/mp2t', 'video'],
  m2ts: ['video/mp2t', 'video'],
  ogv: ['video/ogg', 'video'],
  '3gp': ['video/3gpp', 'video'],
  mp3: ['audio/mpeg', 'audio'],
  wav: ['audio/wav', 'audio'],
  ogg: ['audio/ogg', 'audio'],
  oga: ['audio/ogg', 'audio'],
  flac: ['audio/flac', 'audio'],
  m4a: ['audio/mp4', 'audio'],
  aac: ['audio/aac', 'audio'],
  opus: ['audio/opus', 'audio'],
  wma: ['audio/x-ms-wma', 'audio'],
  srt: ['application/x-subrip', 'subtitle'],
  vtt: ['text/vtt', 'subtitle'],
  ass: ['text/x-ssa', 'subtitle'],
  ssa: ['text/x-ssa', 'subtitle'],
  sub: ['text/plain', 'subtitle'],
  jpg: ['image/jpeg', 'other'],
  jpeg: ['image/jpeg', 'other'],
  png: ['image/png', 'other'],
  gif: ['image/gif', 'other'],
  webp: ['image/webp', 'other'],
  // NFO files are release notes, often CP437 "art"; text/plain lets a browser at least show them.
  nfo: ['text/plain', 'other'],
  txt: ['text/plain', 'other'],
};

/** Only these play natively in every mainstream browser's <video> element without remuxing. */
const WEB_READY = new Set(['mp4', 'm4v', 'webm']);

const FALLBACK = 'application/octet-stream';

export function mimeTypeFor(fileName: string): string {
  return TYPES[extension(fileName)]?.[0] ?? FALLBACK;
}

export function mediaKind(fileName: string): MediaKind {
  return TYPES[extension(fileName)]?.[1] ?? 'other';
}

export function isWebReady(fileName: string): boolean {
  return WEB_READY.has(extension(fileName));
}

/** What a browser's <video>/<audio> can realistically open as it is (the web page's play button). */
const BROWSER_PLAYABLE = new Set(['mp4', 'm4v', 'webm', 'ogv', 'mov', 'mp3', 'wav', 'ogg', 'oga', 'flac', 'm4a', 'aac', 'opus']);

export function playsInBrowser(fileName: string): boolean {
  return BROWSER_PLAYABLE.has(extension(fileName));
}

/**
 * Lower-cased extension of the last path segment (either separator: torrent paths may come from
 * Windows). Like path.extname, a leading dot (".mkv") names a hidden file, not an extension.
 * Own-property lookup guards against names like "x.constructor" hitting Object.prototype.
 */
function extension(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return '';
  const ext = base.slice(dot + 1).toLowerCase();
  return Object.hasOwn(TYPES, ext) || WEB_READY.has(ext) || BROWSER_PLAYABLE.has(ext) ? ext : '';
}
