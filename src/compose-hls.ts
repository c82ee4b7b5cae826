import path from 'node:path';
import { FfmpegSegmenter } from './adapters/ffmpeg-hls-job.js';
import { FfmpegSubtitleExtractor } from './adapters/ffmpeg-subtitles.js';
import { FfprobeProber } from './adapters/ffprobe-prober.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { HlsService } from './services/hls.service.js';
import { ProbeService, type SourceLocator } from './services/probe.service.js';
import type { StreamService } from './services/stream.service.js';

/** ffmpeg reads files through our own stream route over loopback; the port is known once we listen. */
export interface LoopbackLocator extends SourceLocator {
  setBase(url: string): void;
}

export function loopbackLocator(apiToken: string | undefined): LoopbackLocator {
  let base = '';
  // The admin token as a header, never in the URL: URLs end up in logs, headers do not.
  const headers: Record<string, string> = apiToken ? { Authorization: `Bearer ${apiToken}` } : {};
  return {
    setBase(url) {
      base = url;
    },
    source(infoHash, fileIndex) {
      if (!base) throw new Error('The server is not listening yet');
      return { url: `${base}/stream/proxy/${infoHash}?fileIndex=${fileIndex}`, headers };
    },
  };
}

/** Probe, embedded subtitles and on-demand HLS, all made by ffmpeg/ffprobe. */
export function composeHls(config: Config, streams: StreamService, logger: Logger) {
  const locator = loopbackLocator(config.auth.apiToken);
  const probes = new ProbeService(
    new FfprobeProber(config.hls.ffprobePath),
    new FfmpegSubtitleExtractor(config.hls.ffmpegPath),
    locator,
    streams,
  );
  const hls = new HlsService(
    new FfmpegSegmenter(config.hls.ffmpegPath),
    probes,
    locator,
    {
      root: path.join(config.downloadDir, '.hls'),
      maxJobs: config.hls.maxJobs,
      segmentSeconds: config.hls.segmentSeconds,
      idleTimeoutMs: config.hls.idleTimeoutSeconds * 1000,
      maxHeight: config.hls.maxHeight,
      preset: config.hls.preset,
      ahead: 5,
      waitTimeoutMs: Math.max(config.torrent.timeoutMs, 30_000),
    },
    logger,
  );
  return { probes, hls, locator };
}
