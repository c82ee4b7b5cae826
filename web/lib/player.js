/** Language guess from names like "Movie.en.srt" or "Subs/English.srt", for srclang and labels. */
const LANGS = {
  en: 'en',
  eng: 'en',
  english: 'en',
  fr: 'fr',
  fre: 'fr',
  french: 'fr',
  de: 'de',
  ger: 'de',
  german: 'de',
  es: 'es',
  spa: 'es',
  spanish: 'es',
  it: 'it',
  ita: 'it',
  italian: 'it',
  pt: 'pt',
  por: 'pt',
  portuguese: 'pt',
  nl: 'nl',
  dutch: 'nl',
  ru: 'ru',
  rus: 'ru',
  russian: 'ru',
};

function subtitleLanguage(name) {
  const words = name
    .toLowerCase()
    .replace(/\.[^.]+$/, '')
    .split(/[^a-z]+/)
    .reverse();
  return words.map((w) => LANGS[w]).find(Boolean);
}

/**
 * The subtitle files of a torrent as <track> descriptions (the addon converts SRT to WebVTT).
 * `files` are the API's file objects, which carry the server's `mediaKind`.
 */
export function subtitleTracks(infoHash, files) {
  return files
    .filter((f) => f.mediaKind === 'subtitle')
    .map((f) => ({
      src: `/subtitles/${infoHash}/${f.index}.vtt`,
      label: f.name.replace(/\.[^.]+$/, ''),
      lang: subtitleLanguage(f.path ?? f.name),
    }));
}

/**
 * Loads `src` into the <video> with the given subtitle tracks and starts playback. A track that
 * fails to load (subtitle route missing, unsupported .ass) is removed instead of leaving a dead
 * entry in the captions menu; `onNotice` tells the page why.
 */
export function playInVideo(video, { src, tracks = [], onNotice = () => {}, attach }) {
  for (const old of video.querySelectorAll('track')) old.remove();
  video.removeAttribute('src');
  // `attach` hands the element to a MediaSource player (hls.js) instead of a URL.
  if (src !== undefined) video.src = src;
  tracks.forEach((t, i) => {
    const track = document.createElement('track');
    track.kind = 'subtitles';
    track.src = t.src;
    track.label = t.label;
    if (t.lang) track.srclang = t.lang;
    // The first one shows by default; the player's menu switches or hides them.
    if (i === 0) track.default = true;
    track.addEventListener(
      'error',
      () => {
        track.remove();
        onNotice(`Subtitles "${t.label}" could not be loaded.`);
      },
      { once: true },
    );
    video.append(track);
  });
  if (attach) attach(video);
  else video.load();
  const started = video.play();
  // Autoplay can be refused (no user gesture, data saver); the controls still work, so say nothing.
  if (started) started.catch(() => undefined);
}

/** Human text for a <video> error, with the way out for formats browsers cannot decode. */
export function videoErrorText(video) {
  const code = video.error?.code;
  if (code === 4)
    return 'This browser cannot play this file, and the server could not convert it (is ffmpeg installed?). Use Download, the M3U link or Kodi instead.';
  if (code === 2) return 'The stream was interrupted (network error). Press play to retry.';
  if (code === 3) return 'The video could not be decoded.';
  return 'The video could not be played.';
}
