import { normalizeInfoHash } from './torrent-input.js';

/**
 * Ids the Stremio addon answers for. Our own ids name a torrent (`btih:<infoHash>`) or one of its
 * files (`btih:<infoHash>:<fileIndex>`), so they can never collide with catalog ids such as IMDb's
 * (`tt…`, and `tt…:season:episode` for an episode).
 */
export type AddonId =
  | { kind: 'btih'; infoHash: string; fileIndex?: number }
  | { kind: 'imdb'; imdbId: string; season?: number; episode?: number };

export const BTIH_PREFIX = 'btih:';

export function btihId(infoHash: string, fileIndex?: number): string {
  return fileIndex === undefined ? `${BTIH_PREFIX}${infoHash}` : `${BTIH_PREFIX}${infoHash}:${fileIndex}`;
}

const BTIH = /^btih:([0-9a-f]{40}|[a-z2-7]{32})(?::(\d{1,9}))?$/i;
// Season 0 is where Cinemeta files specials, so it is valid in a request (not in a link we store).
const IMDB = /^(tt\d{1,10})(?::(\d{1,4}):(\d{1,5}))?$/;

export function parseAddonId(id: string): AddonId | undefined {
  const btih = BTIH.exec(id);
  if (btih) {
    const infoHash = normalizeInfoHash(btih[1]!);
    if (!infoHash) return undefined;
    return btih[2] === undefined ? { kind: 'btih', infoHash } : { kind: 'btih', infoHash, fileIndex: Number(btih[2]) };
  }
  const imdb = IMDB.exec(id);
  if (!imdb) return undefined;
  if (imdb[2] === undefined) return { kind: 'imdb', imdbId: imdb[1]! };
  const episode = Number(imdb[3]);
  return episode >= 1 ? { kind: 'imdb', imdbId: imdb[1]!, season: Number(imdb[2]), episode } : undefined;
}
