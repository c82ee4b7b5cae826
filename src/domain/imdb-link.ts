import { defaultFileIndex } from './default-file.js';
import { parseEpisode, pickEpisodeFile } from './episode.js';
import { invalidInput } from './errors.js';
import { mediaKind } from './mime.js';

/**
 * "This torrent is that IMDb title": links a user makes when adding a torrent, so a Stremio client asking
 * for `tt…` (or `tt…:S:E`) gets the torrent from our library. Pure rules; storage is a port.
 */
export interface ImdbTarget {
  imdbId: string;
  season?: number;
  episode?: number;
}

export interface ImdbLink extends ImdbTarget {
  infoHash: string;
  /** Known once the torrent's metadata was; kept so the link works even after the torrent is gone. */
  fileIndex?: number;
  fileName?: string;
  createdAt: number;
}

export interface LinkFile {
  index: number;
  name: string;
  length: number;
}

/** Validates the optional `imdbId`, `season`, `episode` of POST /api/torrents (JSON numbers or form strings). */
export function parseImdbLinkFields(fields: Record<string, unknown>): ImdbTarget | undefined {
  const imdbId = blank(fields.imdbId) ? undefined : fields.imdbId;
  const season = positiveInt(fields.season, 'season');
  const episode = positiveInt(fields.episode, 'episode');
  if (imdbId === undefined) {
    if (season !== undefined || episode !== undefined) throw invalidInput('season and episode need an imdbId');
    return undefined;
  }
  if (typeof imdbId !== 'string' || !/^tt\d{1,10}$/.test(imdbId.trim()))
    throw invalidInput(`imdbId must look like tt0111161, got "${String(imdbId)}"`);
  if (episode !== undefined && season === undefined) throw invalidInput('episode needs a season');
  return {
    imdbId: imdbId.trim(),
    ...(season !== undefined ? { season } : {}),
    ...(episode !== undefined ? { episode } : {}),
  };
}

const blank = (value: unknown) => value === undefined || value === null || value === '';

function positiveInt(value: unknown, name: string): number | undefined {
  if (blank(value)) return undefined;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,5}$/.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw invalidInput(`${name} must be a positive whole number, got "${String(value)}"`);
  return n;
}

/**
 * The links to store for one add. With the file list known, a season pack becomes one link per
 * episode file (parsed from the file names), so each episode resolves without the torrent's metadata;
 * without it, one link is stored as given and resolved when asked (`matchLink`).
 */
export function linksFor(target: ImdbTarget, infoHash: string, files: readonly LinkFile[], now: number): ImdbLink[] {
  const base = { imdbId: target.imdbId, infoHash, createdAt: now };
  const withFile = (file: LinkFile | undefined) => (file ? { fileIndex: file.index, fileName: file.name } : {});
  const byIndex = (index: number | undefined) => files.find((f) => f.index === index);

  if (target.season !== undefined && target.episode !== undefined) {
    const file = pickEpisodeFile([...files], target.season, target.episode) ?? byIndex(defaultFileIndex(files));
    return [{ ...base, season: target.season, episode: target.episode, ...withFile(file) }];
  }
  const episodes = new Map<string, { season: number; episode: number }>();
  for (const file of files) {
    const parsed = mediaKind(file.name) === 'video' ? parseEpisode(file.name) : undefined;
    if (parsed && (target.season === undefined || parsed.season === target.season))
      episodes.set(`${parsed.season}:${parsed.episode}`, parsed);
  }
  if (episodes.size > 0) {
    return [...episodes.values()].map(({ season, episode }) => ({
      ...base,
      season,
      episode,
      ...withFile(pickEpisodeFile([...files], season, episode)),
    }));
  }
  if (target.season !== undefined) return [{ ...base, season: target.season }];
  return [{ ...base, ...withFile(byIndex(defaultFileIndex(files))) }];
}

/**
 * Whether `link` answers `request`, and with which file (undefined index = let the stream route pick the
 * largest video). `files` is the torrent's file list when known, else empty.
 */
export function matchLink(
  link: ImdbLink,
  request: ImdbTarget,
  files: readonly LinkFile[],
): { fileIndex: number | undefined } | undefined {
  if (link.imdbId !== request.imdbId) return undefined;
  if (request.season === undefined || request.episode === undefined) {
    if (link.season !== undefined || link.episode !== undefined) return undefined;
    return { fileIndex: link.fileIndex ?? defaultFileIndex(files) };
  }
  if (link.episode !== undefined) {
    if (link.season !== request.season || link.episode !== request.episode) return undefined;
    // The user said this torrent is that episode: trust it even when no file name says so.
    return {
      fileIndex:
        link.fileIndex ??
        pickEpisodeFile([...files], request.season, request.episode)?.index ??
        defaultFileIndex(files),
    };
  }
  if (link.season !== undefined && link.season !== request.season) return undefined;
  // A pack without episode information: only a file named for the episode will do.
  const file = pickEpisodeFile([...files], request.season, request.episode);
  return file ? { fileIndex: file.index } : undefined;
}

/** Same title, same episode, same torrent: a newer link replaces an older one. */
export const sameLink = (a: ImdbLink, b: ImdbLink): boolean =>
  a.imdbId === b.imdbId && a.season === b.season && a.episode === b.episode && a.infoHash === b.infoHash;
