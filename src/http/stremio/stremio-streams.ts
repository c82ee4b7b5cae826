import { subtitleLang } from '../../domain/subtitle-match.js';
import { isWebReady } from '../../domain/mime.js';
import { formatBytes } from '../../services/addon-catalog.service.js';
import type { StreamAnswer, StreamCandidate } from '../../services/addon-streams.service.js';
import { embeddedSubtitlePath, hlsMasterPath, streamPath, subtitlePath } from '../shared/links.js';

export const CACHED_MARK = '⚡ cached';
/** Seconds. Active torrents and upstream results change; a finished cached file does not. */
export const SHORT_MAX_AGE = 30;
export const LONG_MAX_AGE = 24 * 60 * 60;

/**
 * Stremio stream objects for an answer, every torrent rewritten to an absolute HTTP URL on this server
 * (`base`), so the client never needs its own torrent engine.
 */
export function toStremioStreams(answer: StreamAnswer, base: string): Array<Record<string, unknown>> {
  return [
    ...answer.candidates.flatMap((c) => withBrowserEntry(toStremioStream(c, base), c, base)),
    ...answer.passthrough,
  ];
}

/**
 * A stream Stremio Web or iOS cannot play as it is (notWebReady) gets a second entry, "(browser)": the
 * same file as on-demand HLS, remuxed or transcoded by this server.
 */
function withBrowserEntry(stream: Record<string, unknown>, c: StreamCandidate, base: string) {
  const hints = stream.behaviorHints as Record<string, unknown>;
  if (!hints.notWebReady || c.fileIndex === undefined) return [stream];
  const { notWebReady: _direct, ...webHints } = hints;
  return [
    stream,
    {
      ...stream,
      name: `${String(stream.name)} (browser)`,
      url: `${base}${hlsMasterPath(c.infoHash, c.fileIndex)}`,
      behaviorHints: { ...webHints, bingeGroup: `${String(hints.bingeGroup)}|hls` },
    },
  ];
}

function toStremioStream(c: StreamCandidate, base: string): Record<string, unknown> {
  const name = [c.cached ? CACHED_MARK : undefined, c.upstream?.name ?? 'TSS'].filter(Boolean).join('\n');
  const ownLines = [
    c.fileName ?? c.infoHash,
    c.size !== undefined ? `💾 ${formatBytes(c.size)}` : undefined,
    c.origin === 'library' ? 'from your library' : undefined,
  ];
  const description = c.upstream?.description ?? c.upstream?.title ?? ownLines.filter(Boolean).join('\n');
  const behaviorHints: Record<string, unknown> = {
    // Same torrent (a season pack) = same group, so Stremio picks the next episode from it by itself.
    bingeGroup: `tss|${c.upstream?.bingeGroup ?? c.infoHash}`,
  };
  if (c.fileName) behaviorHints.filename = c.fileName;
  if (c.size !== undefined) behaviorHints.videoSize = c.size;
  // Unknown name = unknown container: claiming web-ready would make Stremio Web try and fail.
  if (!c.fileName || !isWebReady(c.fileName)) behaviorHints.notWebReady = true;
  return {
    name,
    title: description,
    description,
    url: `${base}${streamPath(c)}`,
    ...(c.subtitles.length > 0 || c.embeddedSubtitles?.length
      ? {
          subtitles: [
            ...c.subtitles.map((s) => ({
              id: `${c.infoHash}:${s.fileIndex}`,
              url: `${base}${subtitlePath(c.infoHash, s.fileIndex)}`,
              lang: subtitleLang(s.name),
            })),
            ...(c.fileIndex === undefined ? [] : embeddedEntries(c, c.fileIndex, base)),
          ],
        }
      : {}),
    behaviorHints,
  };
}

/** The file's own text subtitle tracks (known once it was probed), extracted to WebVTT. */
function embeddedEntries(c: StreamCandidate, fileIndex: number, base: string) {
  return (c.embeddedSubtitles ?? []).map((t) => ({
    id: `${c.infoHash}:${fileIndex}:track${t.track}`,
    url: `${base}${embeddedSubtitlePath(c.infoHash, fileIndex, t.track)}`,
    lang: t.language ?? 'und',
  }));
}

/** A day only when everything is a finished cached file and no upstream was missing. */
export function streamsMaxAge(answer: StreamAnswer): number {
  const settled = answer.complete && answer.candidates.length > 0 && answer.candidates.every((c) => c.cached);
  return settled ? LONG_MAX_AGE : SHORT_MAX_AGE;
}
