// Plays any file: natively when the browser decodes it as it is, else through the server's on-demand
// HLS (hls.js over MediaSource; Safari's own HLS where MediaSource is missing). The server is told what
// this browser decodes (`?codecs=`), so it copies those streams and transcodes only the rest.
import { playInVideo } from './player.js';

const HLS_SCRIPT = '/web/vendor/hls.min.js';

/** ffprobe codec names and a MIME type that asks the browser about each. */
const PROBES = {
  h264: 'video/mp4; codecs="avc1.42E01E"',
  hevc: 'video/mp4; codecs="hvc1.1.6.L93.B0"',
  av1: 'video/mp4; codecs="av01.0.05M.08"',
  vp9: 'video/webm; codecs="vp9"',
  vp8: 'video/webm; codecs="vp8"',
  aac: 'audio/mp4; codecs="mp4a.40.2"',
  mp3: 'audio/mpeg',
  opus: 'audio/webm; codecs="opus"',
  vorbis: 'audio/webm; codecs="vorbis"',
  flac: 'audio/mp4; codecs="flac"',
  ac3: 'audio/mp4; codecs="ac-3"',
  eac3: 'audio/mp4; codecs="ec-3"',
};

/** The codecs this browser decodes, as the server's `?codecs=` list. */
export function clientCodecs(video) {
  const mse = window.MediaSource;
  const can = (type) =>
    mse && typeof mse.isTypeSupported === 'function' ? mse.isTypeSupported(type) : video.canPlayType(type) !== '';
  return Object.entries(PROBES)
    .filter(([, type]) => can(type))
    .map(([name]) => name)
    .join(',');
}

let loading;
function loadHlsJs() {
  if (window.Hls) return Promise.resolve(window.Hls);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = HLS_SCRIPT;
    script.onload = () => resolve(window.Hls);
    script.onerror = () => reject(new Error('hls.js could not be loaded'));
    document.head.append(script);
  });
  return loading;
}

const sessions = new WeakMap();

/** Ends an HLS session on this <video> (hls.js stops asking, so the server's ffmpeg goes idle). */
export function stopHls(video) {
  sessions.get(video)?.destroy();
  sessions.delete(video);
}

async function probe(infoHash, fileIndex, codecs) {
  try {
    const res = await fetch(`/stream/probe/${infoHash}/${fileIndex}?codecs=${encodeURIComponent(codecs)}`, {
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) return undefined;
    return (await res.json()).data;
  } catch {
    return undefined;
  }
}

/**
 * Plays `file` (an API file object) of `infoHash` in `video`. `directSrc` is its plain stream URL and
 * `tracks` the subtitle files beside it; embedded text subtitles are added from the probe.
 * Resolves to 'direct' or 'hls'.
 */
export async function playMedia(video, { infoHash, file, directSrc, tracks = [], onNotice = () => {} }) {
  stopHls(video);
  const codecs = clientCodecs(video);
  const info = await probe(infoHash, file.index, codecs);
  // No probe (no ffmpeg on the server, not a media file): the browser tries the file as it is.
  if (!info || info.playback.direct) {
    playInVideo(video, { src: directSrc, tracks, onNotice });
    return 'direct';
  }
  const embedded = (info.subtitles ?? [])
    .filter((s) => s.url)
    .map((s) => ({
      src: s.url,
      label: s.title ?? s.language ?? `Track ${s.index + 1}`,
      lang: s.language?.slice(0, 2),
    }));
  const allTracks = [...embedded, ...tracks];
  const url = info.playback.hlsUrl;
  const Hls = window.MediaSource ? await loadHlsJs().catch(() => undefined) : undefined;
  if (Hls && Hls.isSupported()) {
    // The page adds the subtitles as <track>s itself (as for direct playback): the master leaves them out.
    const hls = new Hls({ enableWebVTT: false, maxBufferLength: 20 });
    sessions.set(video, hls);
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => undefined));
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) hls.startLoad();
      else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
      else onNotice(`The video could not be played (${data.details}).`);
    });
    const attach = (v) => {
      hls.loadSource(`${url}${url.includes('?') ? '&' : '?'}subtitles=0`);
      hls.attachMedia(v);
    };
    playInVideo(video, { src: undefined, tracks: allTracks, onNotice, attach });
    return 'hls';
  }
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    playInVideo(video, { src: url, tracks: allTracks, onNotice });
    return 'hls';
  }
  playInVideo(video, { src: directSrc, tracks, onNotice });
  return 'direct';
}
