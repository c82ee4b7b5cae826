// The seed's test page: add one torrent, watch its status, stream a file in an HTML5 player.
// Deliberately simple (polls one torrent) so it also works as a smoke test of the REST API.
import { api } from './lib/api.js';
import { h, setText } from './lib/dom.js';
import { formatBytes, formatEta, formatSpeed, percent, playerPath } from './lib/format.js';
import { playMedia, stopHls } from './lib/hls-player.js';
import { subtitleTracks, videoErrorText } from './lib/player.js';

const POLL_MS = 1000;
const $ = (id) => document.getElementById(id);
const input = $('test-input');
const status = $('test-status');
const detail = $('test-detail');
const STATE_TEXT = {
  connecting: 'Connecting: looking for peers and metadata…',
  connected: 'Connected to peers.',
  downloading: 'Downloading. You can stream already.',
  complete: 'Complete: the file is on disk.',
};
const progress = $('test-progress');
const fileSelect = $('test-file');
const streamButton = $('test-stream');
const video = $('test-video');
const notice = $('test-notice');

let infoHash;
let files = [];
let pollTimer;

// --- examples -------------------------------------------------------------------------------
const toggle = $('test-examples-toggle');
const examples = $('test-examples');
toggle.addEventListener('click', () => {
  examples.hidden = !examples.hidden;
  toggle.setAttribute('aria-expanded', String(!examples.hidden));
  setText(toggle, examples.hidden ? 'Show Examples' : 'Hide Examples');
});
examples.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-magnet]');
  if (!button) return;
  input.value = button.dataset.magnet;
  input.focus();
  setText(status, `Selected ${button.querySelector('span').textContent}. Press Add Torrent.`);
});

// --- add and follow -------------------------------------------------------------------------
$('test-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const value = input.value.trim();
  if (!value) {
    setText(status, 'Enter a magnet link or an info hash first.');
    input.focus();
    return;
  }
  clearTimeout(pollTimer);
  resetPlayer();
  $('test-add').disabled = true;
  setText(status, 'Adding…');
  try {
    const data = await api('/api/torrents', { method: 'POST', body: { magnetUri: value, wait: false } });
    infoHash = data.infoHash;
    setText(status, data.message ?? 'Torrent added');
    void follow();
  } catch (err) {
    setText(status, `Could not add the torrent: ${err.message}`);
  } finally {
    $('test-add').disabled = false;
  }
});

async function follow() {
  const hash = infoHash;
  try {
    const t = await api(`/api/torrents/${hash}`);
    if (hash !== infoHash) return;
    setText($('test-name'), t.name || t.infoHash);
    progress.value = percent(t.progress);
    setText(status, t.error ? `Failed: ${t.error}` : (STATE_TEXT[t.status] ?? t.status));
    const parts = [
      `${percent(t.progress).toFixed(1)} %`,
      `↓ ${formatSpeed(t.downloadSpeed)}`,
      `${t.numPeers} peer(s)`,
      `ETA ${t.status === 'complete' ? 'done' : formatEta(t.timeRemaining)}`,
    ];
    setText(detail, parts.join(' · '));
    if (t.files.length && files.length === 0) showFiles(t.files);
    if (t.status === 'failed') return;
    // A finished torrent no longer changes: stop asking.
    if (t.status !== 'complete') pollTimer = setTimeout(follow, POLL_MS);
  } catch (err) {
    setText(status, `Status unavailable: ${err.message}`);
    pollTimer = setTimeout(follow, POLL_MS * 3);
  }
}

// --- files and player -----------------------------------------------------------------------
/** `list` is GET /api/torrents/:hash's files: each carries the server's `mediaKind`. */
function showFiles(list) {
  files = list;
  const playable = list
    .filter((f) => f.mediaKind === 'video' || f.mediaKind === 'audio')
    .sort((a, b) => b.length - a.length);
  fileSelect.replaceChildren(
    ...playable.map((f) => h('option', { value: String(f.index), text: `${f.name} (${formatBytes(f.length)})` })),
  );
  fileSelect.disabled = playable.length === 0;
  streamButton.disabled = playable.length === 0;
  if (playable.length === 0) setText(notice, 'This torrent has no video or audio file.');
}

streamButton.addEventListener('click', () => {
  const file = files.find((f) => String(f.index) === fileSelect.value);
  if (!file || !infoHash) return;
  const path = playerPath(infoHash, file);
  video.hidden = false;
  $('test-direct').href = path;
  $('test-direct').hidden = false;
  setText(notice, `Streaming ${file.name}. Drag the timeline to seek; the server fetches that part first.`);
  void playMedia(video, {
    infoHash,
    file,
    directSrc: path,
    tracks: subtitleTracks(infoHash, files),
    onNotice: (m) => setText(notice, m),
  }).then((mode) => {
    video.dataset.mode = mode;
  });
});

video.addEventListener('error', () => {
  if (video.getAttribute('src')) setText(notice, videoErrorText(video));
});

function resetPlayer() {
  files = [];
  fileSelect.replaceChildren();
  fileSelect.disabled = true;
  streamButton.disabled = true;
  progress.value = 0;
  setText(detail, '');
  stopHls(video);
  if (video.getAttribute('src')) {
    video.pause();
    video.removeAttribute('src');
    video.load();
  }
  video.hidden = true;
  $('test-direct').hidden = true;
}
