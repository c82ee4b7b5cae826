import path from 'node:path';
import {
  parseClientCodecs,
  parseVariantKey,
  planPlayback,
  variantKey,
  type HlsVariant,
  type MediaInfo,
  type PlaybackPlan,
} from '../domain/codec-plan.js';
import { DomainError, invalidInput } from '../domain/errors.js';
import { segmentCount } from '../domain/hls-playlist.js';
import type { Logger } from '../logger.js';
import type { Segmenter, SegmentJob } from '../ports/hls-segmenter.js';
import type { ProbeService, SourceLocator } from './probe.service.js';

export interface HlsSettings {
  /** Temp root (DOWNLOAD_DIR/.hls): emptied at start, one folder per file variant. */
  root: string;
  maxJobs: number;
  segmentSeconds: number;
  idleTimeoutMs: number;
  maxHeight: number;
  preset: string;
  /** Segments made ahead of the last one asked for before the job pauses. */
  ahead: number;
  /** How long a segment request waits for ffmpeg before 504. */
  waitTimeoutMs: number;
}

interface Variant {
  key: string;
  infoHash: string;
  fileIndex: number;
  variant: HlsVariant;
  dir: string;
  job: SegmentJob | undefined;
  lastRequestAt: number;
  lastSegment: number;
  /** Requests waiting for a segment: a slow torrent must not make their job look idle. */
  waiting: number;
}

/** A seek this close ahead of what the running job makes waits for it instead of restarting ffmpeg. */
const REUSE_WINDOW = 2;

/**
 * On-demand HLS: segment N is made by ffmpeg reading our stream URL from N * T. One job per file variant
 * at a time, at most `maxJobs` in all (503 with Retry-After beyond), paused when far enough ahead of its
 * viewer, killed (and its folder removed) when nobody asked for `idleTimeoutMs`.
 */
export class HlsService {
  private readonly variants = new Map<string, Variant>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    private readonly segmenter: Segmenter,
    private readonly probes: ProbeService,
    private readonly locator: SourceLocator,
    private readonly settings: HlsSettings,
    private readonly logger: Logger,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, settings.idleTimeoutMs / 2));
    this.sweeper.unref();
  }

  /** Start-up: segments of a previous run are of no use (and may be half-written). */
  start(): Promise<void> {
    return this.segmenter.clear(this.settings.root);
  }

  get segmentSeconds(): number {
    return this.settings.segmentSeconds;
  }

  /** ffmpeg processes running now. */
  get runningJobs(): number {
    return [...this.variants.values()].filter((v) => v.job && !v.job.ended).length;
  }

  async plan(
    infoHash: string,
    fileIndex: number,
    options: { codecs?: string; audio?: number },
  ): Promise<{ info: MediaInfo & { durationSeconds: number }; plan: PlaybackPlan; key: string }> {
    await this.requireFfmpeg();
    const { info, fileName } = await this.probes.probe(infoHash, fileIndex);
    const durationSeconds = info.durationSeconds;
    if (durationSeconds === undefined || !(durationSeconds > 0))
      throw new DomainError('UNSUPPORTED_MEDIA', `File ${fileIndex} has no known duration: it cannot be segmented`);
    if (info.video.length === 0 && info.audio.length === 0)
      throw new DomainError('UNSUPPORTED_MEDIA', `File ${fileIndex} (${fileName}) has no audio or video`);
    if (options.audio !== undefined && !info.audio.some((a) => a.index === options.audio))
      throw invalidInput(`File ${fileIndex} has no audio track ${options.audio} (it has ${info.audio.length})`);
    const plan = planPlayback(info, parseClientCodecs(options.codecs), { audioIndex: options.audio, fileName });
    return { info: { ...info, durationSeconds }, plan, key: variantKey(plan.variant) };
  }

  /** The duration for a variant's media playlist (validating the variant). */
  async duration(infoHash: string, fileIndex: number, key: string): Promise<number> {
    const { info } = await this.plan(infoHash, fileIndex, { audio: this.parseKey(key).audioIndex });
    return info.durationSeconds;
  }

  /** The finished segment's path, made on demand. */
  async segment(infoHash: string, fileIndex: number, key: string, n: number, signal?: AbortSignal): Promise<string> {
    const duration = await this.duration(infoHash, fileIndex, key);
    if (n >= segmentCount(duration, this.settings.segmentSeconds))
      throw new DomainError('NOT_FOUND', `Segment ${n} is past the end of file ${fileIndex}`);
    const v = this.variantFor(infoHash, fileIndex, key);
    v.lastRequestAt = Date.now();
    v.lastSegment = n;
    const ready = this.segmenter.segmentPath(v.dir, n);
    if (ready) {
      this.pace(v);
      return ready;
    }
    const job = v.job;
    const reusable = job && !job.ended && job.startSegment <= n && n <= job.producedUpTo + 1 + REUSE_WINDOW;
    if (!reusable) this.startJob(v, n);
    this.pace(v);
    v.waiting++;
    try {
      return await this.waitFor(v, n, signal);
    } finally {
      v.waiting--;
      v.lastRequestAt = Date.now();
    }
  }

  /** Kills every job (server shutdown) and removes the temp root. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const v of this.variants.values()) v.job?.kill();
    this.variants.clear();
    await this.segmenter.clear(this.settings.root);
  }

  private async requireFfmpeg(): Promise<void> {
    await this.probes.requireTools();
    if (!(await this.segmenter.available()))
      throw new DomainError('FEATURE_UNAVAILABLE', 'ffmpeg is not installed on this server: HLS is not available');
  }

  private parseKey(key: string): HlsVariant {
    const variant = parseVariantKey(key);
    if (!variant) throw invalidInput(`"${key}" is not an HLS variant`);
    return variant;
  }

  private variantFor(infoHash: string, fileIndex: number, key: string): Variant {
    const id = `${infoHash}-${fileIndex}-${key}`;
    let v = this.variants.get(id);
    if (!v) {
      v = {
        key: id,
        infoHash,
        fileIndex,
        variant: this.parseKey(key),
        dir: path.join(this.settings.root, id),
        job: undefined,
        lastRequestAt: Date.now(),
        lastSegment: 0,
        waiting: 0,
      };
      this.variants.set(id, v);
    }
    return v;
  }

  private startJob(v: Variant, n: number): void {
    if (v.job && !v.job.ended) v.job.kill();
    else if (this.runningJobs >= this.settings.maxJobs) {
      throw new DomainError(
        'TOO_BUSY',
        `All ${this.settings.maxJobs} HLS jobs are busy (HLS_MAX_JOBS); try again in a few seconds`,
        { retryAfter: Math.max(1, Math.ceil(this.settings.idleTimeoutMs / 1000)) },
      );
    }
    this.logger.debug({ infoHash: v.infoHash, fileIndex: v.fileIndex, variant: v.key, segment: n }, 'hls job start');
    const job = this.segmenter.start({
      source: this.locator.source(v.infoHash, v.fileIndex),
      variant: v.variant,
      dir: v.dir,
      startSegment: n,
      segmentSeconds: this.settings.segmentSeconds,
      maxHeight: this.settings.maxHeight,
      preset: this.settings.preset,
    });
    v.job = job;
    job.onProgress(() => {
      if (job.failure) this.logger.warn({ variant: v.key, failure: job.failure.slice(-300) }, 'hls job failed');
      if (v.job === job) this.pace(v);
    });
  }

  /** Far enough ahead of the viewer: pause; the viewer caught up: resume. */
  private pace(v: Variant): void {
    const job = v.job;
    if (!job || job.ended) return;
    if (job.producedUpTo >= v.lastSegment + this.settings.ahead) job.pause();
    else job.resume();
  }

  private waitFor(v: Variant, n: number, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let unsubscribe = () => {};
      const done = (err: Error | undefined, file?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(file!);
      };
      let watched: SegmentJob | undefined;
      const check = () => {
        const file = this.segmenter.segmentPath(v.dir, n);
        if (file) return done(undefined, file);
        const job = v.job;
        // A seek elsewhere replaced the job: follow the new one (it may still make segment n).
        if (job && job !== watched) {
          unsubscribe();
          watched = job;
          unsubscribe = job.onProgress(check);
        }
        if (!job || job.ended || job.startSegment > n || job.producedUpTo >= n) {
          const why = job?.failure ? `: ${job.failure.slice(-200)}` : '';
          done(new DomainError('UPSTREAM_ERROR', `ffmpeg did not make segment ${n}${why}`));
        }
      };
      const onAbort = () => done(new DomainError('NOT_FOUND', 'The client left'));
      const timer = setTimeout(
        () =>
          done(
            new DomainError('STREAM_STALLED', `Segment ${n} was not ready within ${this.settings.waitTimeoutMs} ms`),
          ),
        this.settings.waitTimeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  /** Viewers left: kill their job and remove its segments. */
  private sweep(): void {
    const now = Date.now();
    for (const [id, v] of this.variants) {
      if (v.waiting > 0 || now - v.lastRequestAt < this.settings.idleTimeoutMs) continue;
      v.job?.kill();
      this.variants.delete(id);
      this.logger.debug({ variant: id }, 'hls variant idle: job killed, segments removed');
      this.segmenter.clear(v.dir).catch((err: unknown) => this.logger.warn({ err, variant: id }, 'hls cleanup failed'));
    }
  }
}
