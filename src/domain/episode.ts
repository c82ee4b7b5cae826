import { mediaKind } from './mime.js';

/**
 * Season/episode detection for season packs, so a client asking for S01E02 gets the right file.
 * Only the file's own name is examined: folder names ("Show.S01.1080p") would make every file match.
 */

const SEP = '[ ._-]*';

// Ordered from least to most ambiguous. Lookarounds instead of \b because '_' is a word character
// in regex terms but a separator in release names ("Show_S01E02").
const PATTERNS: readonly RegExp[] = [
  // S01E02, s1e2, S01.E02, S01 E02, S01E02E03 (first episode wins)
  new RegExp(`(?<![a-z0-9])s(\\d{1,2})${SEP}e(\\d{1,3})(?!\\d)`, 'i'),
  // Season 1 Episode 2, Season.01.Episode.02
  new RegExp(`(?<![a-z0-9])season${SEP}(\\d{1,2})${SEP}(?:episode|ep)${SEP}(\\d{1,3})(?!\\d)`, 'i'),
  // 1x02. At most two season digits and two-plus episode digits, fenced by non-digits, so
  // resolutions (1920x1080, 720x480) and codecs (x264, x265) never qualify.
  /(?<![a-z0-9])(\d{1,2})x(\d{2,3})(?![a-z0-9])/i,
];

export function parseEpisode(fileName: string): { season: number; episode: number } | undefined {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  for (const pattern of PATTERNS) {
    const m = pattern.exec(base);
    if (m) return { season: Number(m[1]), episode: Number(m[2]) };
  }
  return undefined;
}

/**
 * The largest matching video: packs often include a "sample" clip with the same tag, and the real
 * episode is always the bigger one. Ties keep the first file, for a stable answer.
 */
export function pickEpisodeFile<T extends { name: string; length: number }>(
  files: T[],
  season: number,
  episode: number,
): T | undefined {
  let best: T | undefined;
  for (const file of files) {
    if (mediaKind(file.name) !== 'video') continue;
    const parsed = parseEpisode(file.name);
    if (parsed?.season !== season || parsed.episode !== episode) continue;
    if (!best || file.length > best.length) best = file;
  }
  return best;
}
