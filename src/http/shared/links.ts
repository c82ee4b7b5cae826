/**
 * The paths of links this server hands out (players, Kodi, Stremio, the web page), in one place so
 * a change of shape (a token segment, say) reaches every link at once.
 */

/** Path a player can sniff the extension from: /stream/<hash>/<index>/<file name>. */
export const playerPath = (infoHash: string, fileIndex: number, fileName: string): string =>
  `/stream/${infoHash}/${fileIndex}/${encodeURIComponent(fileName)}`;

/** A file's URL, ending in the file name when we know it (players sniff the extension). */
export function streamPath(file: {
  infoHash: string;
  fileIndex: number | undefined;
  fileName: string | undefined;
}): string {
  if (file.fileIndex !== undefined && file.fileName) return playerPath(file.infoHash, file.fileIndex, file.fileName);
  return `/stream/proxy/${file.infoHash}${file.fileIndex === undefined ? '' : `?fileIndex=${file.fileIndex}`}`;
}

export const subtitlePath = (infoHash: string, fileIndex: number): string => `/subtitles/${infoHash}/${fileIndex}.vtt`;

export const POSTER_SUFFIX = '.svg';

/** Where a torrent's generated poster lives; the addon's catalog and metas link to it. */
export const posterPath = (infoHash: string): string => `/poster/${infoHash}${POSTER_SUFFIX}`;

/** A file's on-demand HLS (remuxed or transcoded for browsers): src/http/hls/hls.routes.ts. */
export const hlsMasterPath = (infoHash: string, fileIndex: number): string =>
  `/hls/${infoHash}/${fileIndex}/master.m3u8`;

/** An embedded text subtitle track of a media file, as WebVTT. */
export const embeddedSubtitlePath = (infoHash: string, fileIndex: number, track: number): string =>
  `/subtitles/${infoHash}/${fileIndex}/track/${track}.vtt`;
