/**
 * File-name based media types. Torrents carry no Content-Type, so the extension is all we have; players
 * (browsers especially) refuse or misplay streams served as application/octet-stream.
 * The MIME types come from mime-types (mime-db); OVERRIDES holds the few we answer differently.
 */
import mime from 'mime-types';

export type MediaKind = 'video' | 'audio' | 'subtitle' | 'other';

/** Where mime-db has no entry, or one we deliberately answer differently (test/unit/mime.test.ts). */
const OVERRIDES: Readonly<Record<string, string>> = {
  // mime-db: audio/x-flac and audio/ogg; the registered types are what browsers and players expect.
  flac: 'audio/flac',
  opus: 'audio/opus',
  // Not in mime-db.
  ass: 'text/x-ssa',
  ssa: 'text/x-ssa',
  // mime-db says text/vnd.dvb.subtitle (broadcast bitmaps); a torrent's .sub is MicroDVD/SubViewer text.
  sub: 'text/plain',
  // mime-db: text/x-nfo. NFO files are release notes, often CP437 "art"; text/plain lets a browser at
  // least show them.
  nfo: 'text/plain',
};

const SUBTITLES = new Set(['srt', 'vtt', 'ass', 'ssa', 'sub']);

/**
 * mime-db files these under video/ or audio/, but they are playlists or metafiles (m3u, asx, ...), a
 * DASH segment (m4s), or Matroska holding only subtitles (mks): never a stream to pick or prebuffer.
 */
const NOT_MEDIA = new Set(['m3u', 'm4u', 'mxu', 'asx', 'wax', 'wmx', 'wvx', 'ram', 'rmp', 'm4s', 'mks']);

/** Only these play natively in every mainstream browser's <video> element without remuxing. */
const WEB_READY = new Set(['mp4', 'm4v', 'webm']);

/** What a browser's <video>/<audio> can realistically open as it is (the web page's play button). */
const BROWSER_PLAYABLE = new Set([
  'mp4',
  'm4v',
  'webm',
  'ogv',
  'mov',
  'mp3',
  'wav',
  'ogg',
  'oga',
  'flac',
  'm4a',
  'aac',
  'opus',
]);

const FALLBACK = 'application/octet-stream';

export function mimeTypeFor(fileName: string): string {
  const ext = extension(fileName);
  if (!ext) return FALLBACK;
  return (Object.hasOwn(OVERRIDES, ext) ? OVERRIDES[ext] : undefined) ?? (mime.lookup(ext) || FALLBACK);
}

/** video/* and audio/* by MIME type (minus NOT_MEDIA), subtitles by extension, everything else 'other'. */
export function mediaKind(fileName: string): MediaKind {
  const ext = extension(fileName);
  if (SUBTITLES.has(ext)) return 'subtitle';
  if (!ext || NOT_MEDIA.has(ext)) return 'other';
  const top = mimeTypeFor(fileName).split('/')[0];
  return top === 'video' || top === 'audio' ? top : 'other';
}

export function isWebReady(fileName: string): boolean {
  return WEB_READY.has(extension(fileName));
}

export function playsInBrowser(fileName: string): boolean {
  return BROWSER_PLAYABLE.has(extension(fileName));
}

/**
 * Lower-cased extension of the last path segment (either separator: torrent paths may come from
 * Windows), or ''. Like path.extname, a leading dot (".mkv") names a hidden file, not an extension;
 * mime.lookup() alone would answer video/x-matroska for ".mkv", so it is only ever given this result.
 * Names like "x.constructor" are safe: OVERRIDES is read through Object.hasOwn, the sets and mime-db's
 * table (Object.create(null)) have no inherited keys.
 */
function extension(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}
