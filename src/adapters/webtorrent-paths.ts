import path from 'node:path';

// fs-chunk-store strips these characters from file names; mirror it to know where a file really is.
const RESERVED_CHARS = /[<>:"/\\|?*\u0000-\u001F]/g;

/** Where fs-chunk-store writes `torrentPath` (a path inside the torrent) under `torrentDir`. */
export function onDiskPath(torrentDir: string, torrentPath: string): string {
  const dir = path.dirname(torrentPath);
  const base = path.basename(torrentPath).replace(RESERVED_CHARS, '');
  return path.resolve(torrentDir, dir, base);
}

/** True when `candidate` is `root` itself or inside it (after resolving `..`). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(candidate));
  // "..." or "..hidden" are names, not a step up: only ".." itself as the first segment escapes.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
