import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Segmenter, SegmentJob, SegmentJobSpec } from '../ports/hls-segmenter.js';
import { headerArgs, toolAvailable } from './ffprobe-prober.js';

/** Seconds past a segment's start a copying job seeks to (it then starts at the keyframe before). */
const COPY_SEEK_LEAD = 0.2;

const segmentFile = (dir: string, n: number) => path.join(dir, `seg-${n}.ts`);

/**
 * ffmpeg's HLS muxer from a start segment: `-ss` on the input, `-copyts` so every job (a seek restarts
 * one) writes the file's own timestamps and segments of different jobs line up on one timeline;
 * `temp_file` so a segment appears under its name only once it is complete.
 */
export function ffmpegArgs(spec: SegmentJobSpec, playlist: string): string[] {
  const { variant, segmentSeconds: T, startSegment: n } = spec;
  const start = n * T;
  const video =
    variant.video === 'copy'
      ? ['-c:v', 'copy']
      : [
          '-c:v',
          'libx264',
          '-preset',
          spec.preset,
          '-crf',
          '23',
          '-pix_fmt',
          'yuv420p',
          '-vf',
          `scale=-2:'min(ih,${spec.maxHeight})'`,
          // A keyframe at every segment boundary, so segments cut exactly there (t counts from the seek point).
          '-force_key_frames',
          `expr:gte(t,n_forced*${T})`,
          '-sc_threshold',
          '0',
        ];
  const audio =
    variant.audio === 'none'
      ? ['-an']
      : [
          '-map',
          `0:a:${variant.audioIndex}?`,
          ...(variant.audio === 'copy' ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-ac', '2', '-b:a', '160k']),
        ];
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...headerArgs(spec.source.headers),
    '-rw_timeout',
    '60000000',
    // Copying can only start on a keyframe: the one at (or just before) the segment's start. The small
    // lead past the boundary keeps a keyframe a few ms late (MKV's offsets, B-frame delay) in its own segment.
    ...(variant.video === 'copy' ? ['-noaccurate_seek'] : []),
    ...(start > 0 ? ['-ss', String(variant.video === 'copy' ? start + COPY_SEEK_LEAD : start)] : []),
    '-i',
    spec.source.url,
    '-map',
    '0:v:0?',
    ...audio,
    ...video,
    '-sn',
    '-dn',
    '-copyts',
    '-avoid_negative_ts',
    'disabled',
    '-max_muxing_queue_size',
    '2048',
    '-f',
    'hls',
    '-hls_time',
    String(T),
    '-hls_list_size',
    '0',
    '-hls_segment_type',
    'mpegts',
    '-start_number',
    String(n),
    '-hls_flags',
    'temp_file+independent_segments',
    '-hls_segment_filename',
    path.join(spec.dir, 'seg-%d.ts'),
    playlist,
  ];
}

class FfmpegJob implements SegmentJob {
  producedUpTo: number;
  ended = false;
  failure: string | undefined;
  private readonly listeners: Array<() => void> = [];
  private readonly watcher: FSWatcher;
  private stderr = '';
  private paused = false;

  constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly startSegment: number,
  ) {
    this.producedUpTo = startSegment - 1;
    this.watcher = watch(dir, () => this.scan());
    this.watcher.on('error', () => undefined);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-2000);
    });
    child.on('error', (err) => this.finish(err.message));
    child.on('exit', (code, signal) =>
      this.finish(code === 0 || signal ? undefined : this.stderr.trim() || `exit ${code}`),
    );
  }

  onProgress(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  pause(): void {
    if (this.ended || this.paused) return;
    this.paused = this.child.kill('SIGSTOP');
  }

  resume(): void {
    if (this.ended || !this.paused) return;
    this.paused = false;
    this.child.kill('SIGCONT');
  }

  kill(): void {
    if (this.ended) return;
    // SIGKILL ends a stopped process too; its half-written .tmp goes with the folder.
    this.child.kill('SIGKILL');
  }

  private scan(): void {
    const before = this.producedUpTo;
    while (existsSync(segmentFile(this.dir, this.producedUpTo + 1))) this.producedUpTo++;
    if (this.producedUpTo !== before) this.emit();
  }

  private finish(failure: string | undefined): void {
    if (this.ended) return;
    this.scan();
    this.ended = true;
    this.failure = failure;
    this.watcher.close();
    this.emit();
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}

export class FfmpegSegmenter implements Segmenter {
  private runs = 0;
  constructor(private readonly binary = 'ffmpeg') {}

  available(): Promise<boolean> {
    return toolAvailable(this.binary);
  }

  start(spec: SegmentJobSpec): SegmentJob {
    mkdirSync(spec.dir, { recursive: true });
    const playlist = path.join(spec.dir, `run-${++this.runs}.m3u8`);
    const child = spawn(this.binary, ffmpegArgs(spec, playlist), { stdio: ['ignore', 'ignore', 'pipe'] });
    return new FfmpegJob(child, spec.dir, spec.startSegment);
  }

  segmentPath(dir: string, n: number): string | undefined {
    const file = segmentFile(dir, n);
    return existsSync(file) ? file : undefined;
  }

  async clear(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }
}
