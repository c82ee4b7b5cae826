import { parseEpisode } from './episode.js';
import { mediaKind } from './mime.js';

interface NamedFile {
  index: number;
  name: string;
}

/** Only these can be turned into WebVTT (srtToVtt); ASS/SSA/SUB would come out empty. */
const CONVERTIBLE = /\.(srt|vtt)$/i;

/**
 * The subtitle files of a torrent that belong with `video`. In a season pack a subtitle named for
 * another episode would be wrong, so those are dropped; ones named after the video itself come first.
 */
export function subtitleFilesFor<T extends NamedFile>(files: readonly T[], video: NamedFile | undefined): T[] {
  const episode = video ? parseEpisode(video.name) : undefined;
  const stem = video ? stemOf(video.name).toLowerCase() : undefined;
  const subs = files
    .filter((f) => mediaKind(f.name) === 'subtitle' && CONVERTIBLE.test(f.name))
    .filter((f) => {
      if (!episode) return true;
      const own = parseEpisode(f.name);
      return !own || (own.season === episode.season && own.episode === episode.episode);
    });
  const rank = (f: T) => (stem && stemOf(f.name).toLowerCase().startsWith(stem) ? 0 : 1);
  return subs.sort((a, b) => rank(a) - rank(b));
}

/**
 * Stremio wants a language; when it is not an ISO 639-2 code it shows the text as the label. A trailing
 * "en"/"eng" tag ("Movie.en.srt") is a code; otherwise the file's own name is the most useful label.
 */
export function subtitleLang(fileName: string): string {
  const stem = stemOf(fileName);
  const tag = /[._ -]([a-z]{2,3})$/i.exec(stem)?.[1];
  return tag ? tag.toLowerCase() : stem || 'und';
}

function stemOf(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
