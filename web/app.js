// The dashboard: wires the page's panels to the API. Rendering lives in lib/; this file only decides
// what happens when the user does something.
import { api, isMissingRoute } from './lib/api.js';
import { createCachePanel } from './lib/cache-panel.js';
import { copyText } from './lib/clipboard.js';
import { setText } from './lib/dom.js';
import { absolute, formatSpeed, playerPath, setLinkPrefix } from './lib/format.js';
import { followTorrents } from './lib/live.js';
import { playMedia, stopHls } from './lib/hls-player.js';
import { subtitleTracks, videoErrorText } from './lib/player.js';
import { createTorrentList } from './lib/torrent-list.js';

const $ = (id) => document.getElementById(id);

const toast = $('toast');
let toastTimer;
/** One polite live region for every outcome, so screen readers hear results without losing focus. */
function notify(message, isError = false) {
  clearTimeout(toastTimer);
  toast.textContent = message;
  toast.classList.toggle('error', isError);
  toast.classList.add('visible');
  toastTimer = setTimeout(() => toast.classList.remove('visible'), isError ? 9000 : 4000);
}

// --- player ---------------------------------------------------------------------------------
const video = $('player');
const playerPanel = $('player-panel');
let playing;

function play(torrent, file, files) {
  playing = torrent.infoHash;
  playerPanel.hidden = false;
  setText($('player-name'), file.path ?? file.name);
  // Natively when this browser plays the file as it is, else through the server's HLS.
  void playMedia(video, {
    infoHash: torrent.infoHash,
    file,
    directSrc: playerPath(torrent.infoHash, file),
    tracks: subtitleTracks(torrent.infoHash, files),
    onNotice: (m) => notify(m, true),
  }).then((mode) => {
    video.dataset.mode = mode;
  });
  playerPanel.scrollIntoView({ behavior: 'smooth', block: 'start' });
  video.focus({ preventScroll: true });
}

function closePlayer() {
  stopHls(video);
  video.pause();
  video.removeAttribute('src');
  for (const track of video.querySelectorAll('track')) track.remove();
  // load() with no source releases the connection to the stream (the server stops reading).
  video.load();
  playerPanel.hidden = true;
  playing = undefined;
}

video.addEventListener('error', () => {
  if (video.getAttribute('src')) notify(videoErrorText(video), true);
});
$('player-close').addEventListener('click', closePlayer);

// --- file and torrent actions ---------------------------------------------------------------
async function copyUrl(path) {
  const url = absolute(path);
  notify((await copyText(url)) ? 'Stream URL copied to the clipboard.' : `Copy failed; the URL is ${url}`);
}

async function kodi(torrent, file) {
  try {
    const result = await api('/api/kodi/play', {
      method: 'POST',
      body: { infoHash: torrent.infoHash, fileIndex: file.index },
    });
    // Kodi says "OK" even for a URL it cannot play, so the page says "sent", never "playing".
    notify(`Sent "${file.name}" to Kodi${result?.kodi ? ` at ${result.kodi}` : ''}. Check the TV.`);
  } catch (err) {
    notify(isMissingRoute(err) ? 'Kodi support is not available on this server.' : `Kodi: ${err.message}`, true);
  }
}

const dialog = $('remove-dialog');
/** Asks before removing; the checkbox decides whether the downloaded files go too. */
function confirmRemove(torrent) {
  if (typeof dialog.showModal !== 'function') {
    const ok = confirm(`Remove "${torrent.name}"?`);
    return Promise.resolve(ok ? { deleteFiles: confirm('Also delete the downloaded files?') } : undefined);
  }
  setText($('remove-name'), torrent.name || torrent.infoHash);
  $('remove-files').checked = false;
  dialog.returnValue = 'cancel';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => resolve(dialog.returnValue === 'remove' ? { deleteFiles: $('remove-files').checked } : undefined),
      { once: true },
    );
  });
}

async function remove(torrent) {
  const answer = await confirmRemove(torrent);
  if (!answer) return;
  if (playing === torrent.infoHash) closePlayer();
  try {
    await api(`/api/torrents/${torrent.infoHash}?deleteFiles=${answer.deleteFiles}`, { method: 'DELETE' });
    notify(`Removed "${torrent.name}"${answer.deleteFiles ? ' and its files' : ''}.`);
  } catch (err) {
    notify(`Remove failed: ${err.message}`, true);
  }
  live.refresh();
  cache.refresh();
}

// --- live list ------------------------------------------------------------------------------
const cache = createCachePanel($('cache-panel'), notify);
cache.start();
const list = createTorrentList($('torrents'), { play, copyUrl, kodi, remove });
const connection = $('connection');
const MODE_TEXT = { live: 'Live', polling: 'Polling', offline: 'Offline' };
let lastShape = '';

const live = followTorrents(
  (data) => {
    list.update(data);
    setText($('total-down'), formatSpeed(data.downloadSpeed ?? 0));
    setText($('total-up'), formatSpeed(data.uploadSpeed ?? 0));
    // Cache numbers change when torrents come, go or finish; refresh then rather than on a timer only.
    const shape = (data.torrents ?? []).map((t) => `${t.infoHash}:${t.status}`).join();
    if (shape !== lastShape) cache.refresh();
    lastShape = shape;
  },
  (mode) => {
    connection.dataset.mode = mode;
    setText(connection, MODE_TEXT[mode] ?? mode);
  },
);

// --- add form -------------------------------------------------------------------------------
const form = $('add-form');
const input = $('add-input');
const fileInput = $('add-file');
const addButton = $('add-button');

async function add(request) {
  addButton.disabled = true;
  notify('Adding…');
  try {
    // wait=false: the page answers at once and the live list shows "Connecting" until metadata arrives.
    const data = await api('/api/torrents', request);
    notify(`${data.message ?? 'Torrent added'}: ${data.name ?? data.infoHash}`);
    input.value = '';
    input.removeAttribute('aria-invalid');
    live.refresh();
  } catch (err) {
    input.setAttribute('aria-invalid', 'true');
    notify(`Could not add the torrent: ${err.message}`, true);
  } finally {
    addButton.disabled = false;
    fileInput.value = '';
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = input.value.trim();
  if (!value) {
    input.setAttribute('aria-invalid', 'true');
    notify('Paste a magnet link, an info hash or a .torrent URL first.', true);
    input.focus();
    return;
  }
  void add({
    method: 'POST',
    body: /^https?:\/\//i.test(value) ? { torrentUrl: value, wait: false } : { magnetUri: value, wait: false },
  });
});

fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (!file) return;
  const formData = new FormData();
  formData.append('wait', 'false');
  formData.append('torrent', file, file.name);
  void add({ method: 'POST', form: formData });
});

// --- Stremio --------------------------------------------------------------------------------
let install = `stremio://${window.location.host}/manifest.json`;
function showStremioLinks() {
  install = absolute('/manifest.json').replace(/^https?:/, 'stremio:');
  $('stremio-install').href = install;
  $('stremio-url').value = install;
  $('stremio-manifest').href = absolute('/manifest.json');
  setText($('stremio-manifest'), absolute('/manifest.json'));
}
showStremioLinks();
// Signed in with a token: links copied out of the page (players, Stremio, Kodi) must carry it.
api('/api/session').then(
  (session) => {
    setLinkPrefix(session.linkPrefix ?? '');
    showStremioLinks();
  },
  () => undefined,
);
$('stremio-copy').addEventListener('click', async () => {
  notify(
    (await copyText(install)) ? 'Stremio install link copied.' : 'Copy failed; select the link and copy it by hand.',
    false,
  );
});
