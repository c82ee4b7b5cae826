/**
 * BEP 47 pad files (hybrid torrents from qBittorrent and libtorrent 2 carry them): filler that aligns
 * each real file to a piece boundary, named `.pad/<N>`. Never listed, never counted, never served.
 * `path` is the file's '/'-separated path in the torrent (with the torrent's folder for multi-file ones).
 */
export function isPadFile(path: string): boolean {
  return /(^|\/)\.pad\/[^/]+$/.test(path);
}
