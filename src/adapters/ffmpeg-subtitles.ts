import { execFile } from 'node:child_process';
import type { MediaSource, SubtitleExtractor } from '../ports/media-probe.js';
import { headerArgs } from './ffprobe-prober.js';

const EXTRACT_TIMEOUT_MS = 5 * 60_000;

/** One embedded text subtitle stream as WebVTT, by ffmpeg reading the whole file through our stream URL. */
export class FfmpegSubtitleExtractor implements SubtitleExtractor {
  constructor(private readonly binary = 'ffmpeg') {}

  extract(source: MediaSource, subtitleIndex: number, signal?: AbortSignal): Promise<string> {
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      ...headerArgs(source.headers),
      '-i',
      source.url,
      '-map',
      `0:s:${subtitleIndex}`,
      '-c:s',
      'webvtt',
      '-f',
      'webvtt',
      'pipe:1',
    ];
    return new Promise((resolve, reject) => {
      execFile(
        this.binary,
        args,
        { timeout: EXTRACT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, signal, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err)
            return reject(new Error(`ffmpeg subtitle extraction failed: ${stderr.trim().slice(-300) || err.message}`));
          resolve(stdout);
        },
      );
    });
  }
}
