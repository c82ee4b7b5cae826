import type { MediaInfo } from '../domain/codec-plan.js';
import { DomainError, invalidInput } from '../domain/errors.js';
import type { MediaProber, MediaSource, SubtitleExtractor } from '../ports/media-probe.js';
import type { StreamService } from './stream.service.js';

/** Builds the loopback URL (and auth header) ffmpeg reads a file through; known once the server listens. */
export interface SourceLocator {
  source(infoHash: string, fileIndex: number): MediaSource;
}

const MAX_PROBES = 500;
const MAX_SUBTITLES = 50;

export interface ProbedFile {
  info: MediaInfo;
  fileName: string;
}

/**
 * What a file holds, by ffprobe through our own stream URL (so it works while the torrent downloads:
 * the reads are ranged, head and tail first). Cached per file: content addressed by hash never changes.
 */
export class ProbeService {
  private readonly probes = new Map<string, Promise<ProbedFile>>();
  private readonly vtts = new Map<string, Promise<string>>();

  constructor(
    private readonly prober: MediaProber,
    private readonly extractor: SubtitleExtractor,
    private readonly locator: SourceLocator,
    private readonly streams: Pick<StreamService, 'resolve'>,
  ) {}

  available(): Promise<boolean> {
    return this.prober.available();
  }

  /** The probe if one was made already (the addon marks streams with it without waiting). */
  async cached(infoHash: string, fileIndex: number): Promise<ProbedFile | undefined> {
    const pending = this.probes.get(`${infoHash}/${fileIndex}`);
    return pending?.catch(() => undefined);
  }

  async probe(infoHash: string, fileIndex: number): Promise<ProbedFile> {
    await this.requireTools();
    const key = `${infoHash}/${fileIndex}`;
    let pending = this.probes.get(key);
    if (pending) {
      // Most recently used last: the map's order is the eviction order.
      this.probes.delete(key);
      this.probes.set(key, pending);
      return pending;
    }
    pending = this.run(infoHash, fileIndex);
    remember(this.probes, key, pending, MAX_PROBES);
    // A failed probe is not cached: the next request tries again (the torrent may have found peers).
    pending.catch(() => this.probes.get(key) === pending && this.probes.delete(key));
    return pending;
  }

  /** Embedded text subtitle `n` of a file as WebVTT. */
  async subtitle(infoHash: string, fileIndex: number, n: number): Promise<string> {
    const { info } = await this.probe(infoHash, fileIndex);
    const track = info.subtitles.find((s) => s.index === n);
    if (!track) throw new DomainError('NOT_FOUND', `File ${fileIndex} has no subtitle track ${n}`);
    if (!track.text) throw invalidInput(`Subtitle track ${n} is ${track.codec}, a picture format: it has no text`);
    const key = `${infoHash}/${fileIndex}/${n}`;
    let pending = this.vtts.get(key);
    if (!pending) {
      pending = this.extractor.extract(this.locator.source(infoHash, fileIndex), n).catch((err: Error) => {
        this.vtts.delete(key);
        throw new DomainError('UNSUPPORTED_MEDIA', err.message);
      });
      remember(this.vtts, key, pending, MAX_SUBTITLES);
    }
    return pending;
  }

  async requireTools(): Promise<void> {
    if (!(await this.prober.available()))
      throw new DomainError('FEATURE_UNAVAILABLE', 'ffmpeg/ffprobe is not installed on this server: no probe, no HLS');
  }

  private async run(infoHash: string, fileIndex: number): Promise<ProbedFile> {
    // Through the stream service first: an unknown index is a 404, a torrent without metadata a 504.
    const target = await this.streams.resolve(infoHash, fileIndex);
    const fileName = target.fileName;
    target.release();
    try {
      return { info: await this.prober.probe(this.locator.source(infoHash, fileIndex)), fileName };
    } catch (err) {
      throw new DomainError(
        'UNSUPPORTED_MEDIA',
        `File ${fileIndex} (${fileName}) is not a media file ffprobe can read: ${(err as Error).message}`,
      );
    }
  }
}

function remember<T>(map: Map<string, T>, key: string, value: T, max: number): void {
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as string);
}
