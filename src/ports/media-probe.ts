import type { MediaInfo } from '../domain/codec-plan.js';

/** Where ffmpeg/ffprobe read a file: our own stream URL over loopback, with the header that passes auth. */
export interface MediaSource {
  url: string;
  headers: Record<string, string>;
}

/** Reads a media file's container, duration and tracks (ffprobe). */
export interface MediaProber {
  /** False when the tool is not installed: the HLS routes answer 501, the rest of the server works. */
  available(): Promise<boolean>;
  probe(source: MediaSource, signal?: AbortSignal): Promise<MediaInfo>;
}

/** Extracts one embedded text subtitle stream as WebVTT. */
export interface SubtitleExtractor {
  extract(source: MediaSource, subtitleIndex: number, signal?: AbortSignal): Promise<string>;
}
