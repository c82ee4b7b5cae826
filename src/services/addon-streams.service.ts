import { selectUpstreams, type AddonConfig } from '../domain/addon-config.js';
import type { MediaInfo } from '../domain/codec-plan.js';
import { defaultFileIndex } from '../domain/default-file.js';
import { DomainError } from '../domain/errors.js';
import type { AddonId } from '../domain/stremio-ids.js';
import { subtitleFilesFor } from '../domain/subtitle-match.js';
import { normalizeInfoHash } from '../domain/torrent-input.js';
import type { Logger } from '../logger.js';
import type { UpstreamAddons } from '../ports/stremio-upstream.js';
import type { LinkedFile } from './imdb-link.service.js';
import type { FileView, TorrentView } from './torrent-status.js';

/** One file we can serve, whoever pointed us at it. The HTTP layer turns it into a Stremio stream with our URL. */
export interface StreamCandidate {
  infoHash: string;
  /** undefined = the torrent's default file (its metadata is not known yet). */
  fileIndex: number | undefined;
  fileName: string | undefined;
  size: number | undefined;
  /** The file is finished and in the disk cache: it plays at disk speed. */
  cached: boolean;
  origin: 'library' | 'upstream';
  /** What the upstream addon said about it (quality, seeders, size), kept for the viewer. */
  upstream?: { name?: string; title?: string; description?: string; bingeGroup?: string };
  subtitles: Array<{ fileIndex: number; name: string }>;
  /** Text subtitle tracks inside the file, when it was probed already (never probed for this). */
  embeddedSubtitles?: Array<{ track: number; language?: string }>;
}

export interface StreamAnswer {
  candidates: StreamCandidate[];
  /** Upstream streams without an info hash (plain URLs): not ours to rewrite, passed on as they are. */
  passthrough: Record<string, unknown>[];
  /** False when an upstream failed or timed out: the answer may be missing streams, so cache it briefly. */
  complete: boolean;
}

export interface AddonStreamsDeps {
  library: { get(infoHash: string): Promise<TorrentView> };
  cache: { isCached(infoHash: string, fileIndex: number): Promise<boolean> };
  links: { find(request: { imdbId: string; season?: number; episode?: number }): Promise<LinkedFile[]> };
  upstream: UpstreamAddons;
  upstreams: readonly string[];
  logger: Logger;
  /** Probes already made (ProbeService.cached): their embedded subtitles are offered too. */
  probes?: { cached(infoHash: string, fileIndex: number): Promise<{ info: MediaInfo } | undefined> };
}

/**
 * Streams for a Stremio id: our own torrents (`btih:`) and, for IMDb ids, torrents linked in the library
 * plus whatever the configured upstream addons know. Every torrent stream ends up served by us; the
 * ones already in the cache come first. An upstream that fails only makes the answer shorter.
 */
export class AddonStreamsService {
  constructor(private readonly deps: AddonStreamsDeps) {}

  async streams(type: string, id: AddonId, config: AddonConfig): Promise<StreamAnswer> {
    let answer: StreamAnswer;
    if (id.kind === 'btih') {
      const view = await this.view(id.infoHash);
      answer = {
        candidates: [await this.describe(id.infoHash, id.fileIndex, undefined, view, 'library')],
        passthrough: [],
        complete: true,
      };
    } else {
      const [linked, upstream] = await Promise.all([this.deps.links.find(id), this.fromUpstreams(type, id, config)]);
      const fromLinks = await Promise.all(
        linked.map((l) => this.describe(l.infoHash, l.fileIndex, l.fileName, l.view, 'library')),
      );
      answer = { ...upstream, candidates: [...fromLinks, ...upstream.candidates] };
    }
    const seen = new Set<string>();
    let candidates = answer.candidates.filter((c) => {
      const key = `${c.infoHash}:${c.fileIndex ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    // Array.prototype.sort is stable: within each group the library/upstream order is kept.
    candidates.sort((a, b) => Number(b.cached) - Number(a.cached));
    if (config.cachedOnly) candidates = candidates.filter((c) => c.cached);
    return { candidates, passthrough: config.cachedOnly ? [] : answer.passthrough, complete: answer.complete };
  }

  private async fromUpstreams(
    type: string,
    id: Extract<AddonId, { kind: 'imdb' }>,
    config: AddonConfig,
  ): Promise<StreamAnswer> {
    const stremioId = id.season === undefined ? id.imdbId : `${id.imdbId}:${id.season}:${id.episode}`;
    const results = await Promise.allSettled(
      selectUpstreams(this.deps.upstreams, config).map((url) => this.deps.upstream.streams(url, type, stremioId)),
    );
    const answer: StreamAnswer = { candidates: [], passthrough: [], complete: true };
    for (const result of results) {
      if (result.status === 'rejected') {
        answer.complete = false;
        this.deps.logger.warn({ reason: (result.reason as Error).message, id: stremioId }, 'upstream addon failed');
        continue;
      }
      // Looked up side by side (a cache index lookup each; Redis makes that a round trip), order kept.
      const described = await Promise.all(
        result.value.map(async (raw) => {
          const stream = readUpstreamStream(raw);
          if (!stream) return raw;
          const candidate = await this.describe(
            stream.infoHash,
            stream.fileIdx,
            stream.filename,
            await this.view(stream.infoHash),
            'upstream',
            stream.info,
          );
          return { ...candidate, size: candidate.size ?? stream.videoSize };
        }),
      );
      for (const item of described) {
        if (isCandidate(item)) answer.candidates.push(item);
        // Plain links are passed on; a broken torrent entry (bad info hash) is dropped.
        else if (item.infoHash === undefined && ['url', 'ytId', 'externalUrl'].some((k) => typeof item[k] === 'string'))
          answer.passthrough.push(item);
      }
    }
    return answer;
  }

  private async describe(
    infoHash: string,
    fileIndex: number | undefined,
    fileName: string | undefined,
    view: TorrentView | undefined,
    origin: StreamCandidate['origin'],
    upstream?: StreamCandidate['upstream'],
  ): Promise<StreamCandidate> {
    const files: FileView[] = view?.files ?? [];
    const index =
      fileIndex ??
      (fileName !== undefined ? files.find((f) => f.name === fileName)?.index : undefined) ??
      defaultFileIndex(files);
    const file = files.find((f) => f.index === index);
    const cached = index !== undefined && (await this.deps.cache.isCached(infoHash, index));
    const probed = index !== undefined ? await this.deps.probes?.cached(infoHash, index) : undefined;
    const embedded = (probed?.info.subtitles ?? [])
      .filter((t) => t.text)
      .map((t) => ({ track: t.index, ...(t.language ? { language: t.language } : {}) }));
    return {
      infoHash,
      fileIndex: index,
      fileName: file?.name ?? fileName,
      size: file?.length,
      cached,
      origin,
      ...(upstream ? { upstream } : {}),
      subtitles: subtitleFilesFor(files, file).map((f) => ({ fileIndex: f.index, name: f.name })),
      ...(embedded.length > 0 ? { embeddedSubtitles: embedded } : {}),
    };
  }

  private async view(infoHash: string): Promise<TorrentView | undefined> {
    try {
      return await this.deps.library.get(infoHash);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }
}

const isCandidate = (item: StreamCandidate | Record<string, unknown>): item is StreamCandidate =>
  (item as StreamCandidate).origin === 'upstream';

interface UpstreamStream {
  infoHash: string;
  fileIdx: number | undefined;
  filename: string | undefined;
  videoSize: number | undefined;
  info: NonNullable<StreamCandidate['upstream']>;
}

/** The torrent part of an upstream stream object; undefined when it has no usable info hash. */
export function readUpstreamStream(raw: Record<string, unknown>): UpstreamStream | undefined {
  const infoHash = typeof raw.infoHash === 'string' ? normalizeInfoHash(raw.infoHash) : undefined;
  if (!infoHash) return undefined;
  const hints = (raw.behaviorHints && typeof raw.behaviorHints === 'object' ? raw.behaviorHints : {}) as Record<
    string,
    unknown
  >;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const int = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
  const info: NonNullable<StreamCandidate['upstream']> = {};
  for (const [key, value] of [
    ['name', raw.name],
    ['title', raw.title],
    ['description', raw.description],
    ['bingeGroup', hints.bingeGroup],
  ] as const) {
    const text = str(value);
    if (text) info[key] = text;
  }
  return { infoHash, fileIdx: int(raw.fileIdx), filename: str(hints.filename), videoSize: int(hints.videoSize), info };
}
