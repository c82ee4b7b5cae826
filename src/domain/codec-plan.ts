/**
 * What a media file holds (from the prober) and the least work that makes it playable for a client:
 * play it as it is, or remux/transcode it to HLS, copying every stream the client decodes.
 */

export interface VideoTrack {
  index: number;
  codec: string;
  profile?: string;
  width?: number;
  height?: number;
}

export interface AudioTrack {
  /** The n-th audio stream of the file (0-based), what `?audio=` names. */
  index: number;
  codec: string;
  profile?: string;
  channels?: number;
  language?: string;
  title?: string;
}

export interface SubtitleTrack {
  /** The n-th subtitle stream of the file (0-based), what `/track/:n.vtt` names. */
  index: number;
  codec: string;
  language?: string;
  title?: string;
  /** Text subtitles (SRT, ASS, WebVTT) convert to WebVTT; bitmap ones (PGS, DVB) cannot. */
  text: boolean;
}

export interface MediaInfo {
  /** ffprobe's format name, e.g. "matroska,webm", "mov,mp4,m4a,3gp,3g2,mj2", "avi". */
  container: string;
  durationSeconds: number | undefined;
  bitRate: number | undefined;
  video: VideoTrack[];
  audio: AudioTrack[];
  subtitles: SubtitleTrack[];
}

/** Codec names as ffprobe spells them; the client's `?codecs=` list uses the same names. */
export const KNOWN_CLIENT_CODECS = [
  'h264',
  'hevc',
  'vp8',
  'vp9',
  'av1',
  'aac',
  'mp3',
  'opus',
  'vorbis',
  'flac',
  'ac3',
  'eac3',
];
/** Every browser with MSE or native HLS decodes these; the floor when a client says nothing. */
const BASELINE = ['h264', 'aac', 'mp3'];
const TEXT_SUBTITLES = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text']);

export const isTextSubtitle = (codec: string): boolean => TEXT_SUBTITLES.has(codec);

/** `?codecs=h264,aac,hevc` -> the set, always including the baseline. Unknown names are ignored. */
export function parseClientCodecs(query: string | undefined): Set<string> {
  const named = (query ?? '')
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => KNOWN_CLIENT_CODECS.includes(c));
  return new Set([...BASELINE, ...named]);
}

export type VideoMode = 'copy' | 'h264';
export type AudioMode = 'copy' | 'aac' | 'none';

export interface HlsVariant {
  video: VideoMode;
  audio: AudioMode;
  /** Which audio stream (n-th of the file). */
  audioIndex: number;
}

export interface PlaybackPlan {
  /** The browser plays the file as it is: no HLS at all. */
  direct: boolean;
  variant: HlsVariant;
  reasons: string[];
}

/** What HLS carries (MPEG-TS): video a browser decodes in it, and audio hls.js/Safari take. */
const HLS_VIDEO = new Set(['h264', 'hevc']);
const HLS_AUDIO = new Set(['aac', 'mp3', 'ac3', 'eac3']);
const MP4_VIDEO = new Set(['h264', 'hevc', 'av1', 'vp9']);
const MP4_AUDIO = new Set(['aac', 'mp3', 'opus', 'flac']);
const WEBM_VIDEO = new Set(['vp8', 'vp9', 'av1']);
const WEBM_AUDIO = new Set(['opus', 'vorbis']);

/**
 * Copy what the client decodes, transcode only what it cannot. `direct` when the container and every
 * stream it would play are the browser's own (MP4 with H.264/AAC, WebM with VP9/Opus...).
 */
export function planPlayback(
  info: MediaInfo,
  client: Set<string>,
  options: { audioIndex?: number; fileName?: string } = {},
): PlaybackPlan {
  const reasons: string[] = [];
  const video = info.video[0];
  const audioIndex = options.audioIndex ?? 0;
  const audio = info.audio.find((a) => a.index === audioIndex);
  const videoCopy = video !== undefined && HLS_VIDEO.has(video.codec) && client.has(video.codec);
  if (video && !videoCopy) reasons.push(`video ${video.codec} -> h264`);
  const audioCopy = audio !== undefined && HLS_AUDIO.has(audio.codec) && client.has(audio.codec);
  if (audio && !audioCopy) reasons.push(`audio ${audio.codec} -> aac`);
  const variant: HlsVariant = {
    video: videoCopy || !video ? 'copy' : 'h264',
    audio: !audio ? 'none' : audioCopy ? 'copy' : 'aac',
    audioIndex,
  };
  return {
    direct: options.audioIndex === undefined && playsDirectly(info, client, options.fileName),
    variant,
    reasons,
  };
}

function playsDirectly(info: MediaInfo, client: Set<string>, fileName = ''): boolean {
  const formats = info.container.split(',');
  const webm = formats.includes('webm') && (/\.webm$/i.test(fileName) || fileName === '');
  const mp4 = formats.includes('mp4') || formats.includes('mov');
  const videoOk = (set: Set<string>) => info.video.every((v) => set.has(v.codec) && client.has(v.codec));
  const audio = info.audio[0];
  const audioOk = (set: Set<string>) => !audio || (set.has(audio.codec) && client.has(audio.codec));
  if (webm && videoOk(WEBM_VIDEO) && audioOk(WEBM_AUDIO)) return true;
  return mp4 && videoOk(MP4_VIDEO) && audioOk(MP4_AUDIO);
}

/** A variant as a path segment ("copy.aac.1") and back; the segment URLs carry it. */
export const variantKey = (v: HlsVariant): string => `${v.video}.${v.audio}.${v.audioIndex}`;

export function parseVariantKey(key: string): HlsVariant | undefined {
  const m = /^(copy|h264)\.(copy|aac|none)\.(\d{1,3})$/.exec(key);
  if (!m) return undefined;
  return { video: m[1] as VideoMode, audio: m[2] as AudioMode, audioIndex: Number(m[3]) };
}

/** By name only, when no probe is at hand: containers browsers never play as they are. */
export const notWebReadyByName = (fileName: string): boolean =>
  /\.(mkv|avi|wmv|flv|mpe?g|ts|m2ts|vob|divx)$/i.test(fileName);
