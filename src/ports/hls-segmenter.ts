import type { HlsVariant } from '../domain/codec-plan.js';
import type { MediaSource } from './media-probe.js';

export interface SegmentJobSpec {
  source: MediaSource;
  variant: HlsVariant;
  /** Folder of this file's variant: segments of every job on it land there as seg-<n>.ts. */
  dir: string;
  /** First segment this job makes; it reads the input from startSegment * segmentSeconds. */
  startSegment: number;
  segmentSeconds: number;
  maxHeight: number;
  preset: string;
}

/** One running ffmpeg making consecutive segments from `startSegment`. */
export interface SegmentJob {
  readonly startSegment: number;
  /** Highest segment this job has finished (startSegment - 1 before the first). */
  readonly producedUpTo: number;
  readonly ended: boolean;
  /** Why it ended without success (stderr's tail), if it did. */
  readonly failure: string | undefined;
  /** Called after each finished segment and when the job ends; returns the unsubscribe. */
  onProgress(listener: () => void): () => void;
  pause(): void;
  resume(): void;
  kill(): void;
}

/** Makes HLS segments with ffmpeg and owns the temp folder they live in. */
export interface Segmenter {
  available(): Promise<boolean>;
  start(spec: SegmentJobSpec): SegmentJob;
  /** The finished segment's path, or undefined when it is not (yet) there. */
  segmentPath(dir: string, n: number): string | undefined;
  /** Empties the whole temp root (at start-up) or one variant's folder (when it goes idle). */
  clear(dir: string): Promise<void>;
}
