import { execFile } from 'node:child_process';
import { isTextSubtitle, type MediaInfo } from '../domain/codec-plan.js';
import type { MediaProber, MediaSource } from '../ports/media-probe.js';

const PROBE_TIMEOUT_MS = 60_000;

/** `-headers` for ffmpeg's HTTP input: CRLF-terminated lines. */
export function headerArgs(headers: Record<string, string>): string[] {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  return lines.length > 0 ? ['-headers', lines.join('')] : [];
}

/** Whether a binary answers `-version` (checked once per path). */
const seen = new Map<string, Promise<boolean>>();
export function toolAvailable(binary: string): Promise<boolean> {
  let known = seen.get(binary);
  if (!known) {
    known = new Promise((resolve) => execFile(binary, ['-version'], { timeout: 10_000 }, (err) => resolve(!err)));
    seen.set(binary, known);
  }
  return known;
}

interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  channels?: number;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
}

/** ffprobe reading our own stream URL: it works while the torrent downloads (the reads are ranged). */
export class FfprobeProber implements MediaProber {
  constructor(private readonly binary = 'ffprobe') {}

  available(): Promise<boolean> {
    return toolAvailable(this.binary);
  }

  probe(source: MediaSource, signal?: AbortSignal): Promise<MediaInfo> {
    const args = [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      ...headerArgs(source.headers),
      source.url,
    ];
    return new Promise((resolve, reject) => {
      execFile(
        this.binary,
        args,
        { timeout: PROBE_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024, signal },
        (err, stdout, stderr) => {
          if (err) return reject(new Error(`ffprobe failed: ${String(stderr).trim().slice(-300) || err.message}`));
          try {
            resolve(toMediaInfo(JSON.parse(stdout) as { format?: Record<string, string>; streams?: RawStream[] }));
          } catch (parseErr) {
            reject(parseErr as Error);
          }
        },
      );
    });
  }
}

export function toMediaInfo(raw: { format?: Record<string, string>; streams?: RawStream[] }): MediaInfo {
  const streams = raw.streams ?? [];
  const num = (v: string | undefined) => (v !== undefined && Number.isFinite(Number(v)) ? Number(v) : undefined);
  const of = (type: string) => streams.filter((s) => s.codec_type === type);
  const lang = (s: RawStream) => (s.tags?.language && s.tags.language !== 'und' ? s.tags.language : undefined);
  return {
    container: raw.format?.format_name ?? 'unknown',
    durationSeconds: num(raw.format?.duration),
    bitRate: num(raw.format?.bit_rate),
    // Cover art is a "video" stream too: only real ones count.
    video: of('video')
      .filter((s) => !s.disposition?.attached_pic)
      .map((s) => ({
        index: s.index,
        codec: s.codec_name ?? 'unknown',
        profile: s.profile,
        width: s.width,
        height: s.height,
      })),
    audio: of('audio').map((s, n) => ({
      index: n,
      codec: s.codec_name ?? 'unknown',
      profile: s.profile,
      channels: s.channels,
      language: lang(s),
      title: s.tags?.title,
    })),
    subtitles: of('subtitle').map((s, n) => ({
      index: n,
      codec: s.codec_name ?? 'unknown',
      language: lang(s),
      title: s.tags?.title,
      text: isTextSubtitle(s.codec_name ?? ''),
    })),
  };
}
