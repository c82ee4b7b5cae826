import { api } from './api.js';
import { h, setText, srOnly } from './dom.js';
import { formatBytes, percent, playerPath } from './format.js';

const MAX_FILES = 300;
const REFRESH_MS = 1500;

/**
 * The files of one torrent with their actions. Rows are created once and updated in place, so a
 * focused button keeps focus while progress ticks. Fetches /api/torrents/:hash/files only while
 * the panel is open, at most every REFRESH_MS. Each file carries the server's `mediaKind` and
 * `browserPlayable`, so the buttons match what the streams will serve.
 */
export function createFilesPanel(infoHash, actions) {
  const list = h('ul', { class: 'file-list' });
  const note = h('p', { class: 'muted', text: 'Waiting for the torrent metadata…' });
  const summary = h('summary', {}, 'Files');
  const details = h('details', { class: 'files', open: true }, summary, note, list);
  const rows = new Map();
  let files = [];
  let lastFetch = 0;
  let inFlight = false;

  const row = (file) => {
    const name = h('span', { class: 'file-name', title: file.path, text: file.name });
    const meta = h('span', { class: 'file-meta' });
    const kind = file.mediaKind;
    const named = (label) => [label, srOnly(` ${file.name}`)];
    const buttons = [];
    if (kind === 'video' || kind === 'audio') {
      const play = h(
        'button',
        { type: 'button', class: 'btn btn-primary', onclick: () => actions.play(file, files) },
        ...named('Play'),
      );
      if (!file.browserPlayable)
        play.title = "Plays through the server's conversion (HLS) when the browser cannot play it as it is";
      buttons.push(play);
    }
    buttons.push(
      h(
        'a',
        { class: 'btn', href: `/stream/proxy/${infoHash}?fileIndex=${file.index}&download=true`, download: file.name },
        ...named('Download'),
      ),
      h(
        'button',
        { type: 'button', class: 'btn', onclick: () => actions.copyUrl(playerPath(infoHash, file)) },
        ...named('Copy URL'),
      ),
    );
    if (kind === 'video' || kind === 'audio')
      buttons.push(
        h('button', { type: 'button', class: 'btn', onclick: () => actions.kodi(file) }, ...named('Play on Kodi')),
      );
    const el = h(
      'li',
      { class: 'file', 'data-index': String(file.index) },
      h('div', { class: 'file-info' }, name, meta),
      h('div', { class: 'file-actions' }, buttons),
    );
    return { el, meta };
  };

  const render = () => {
    note.hidden = files.length > 0 && files.length <= MAX_FILES;
    if (files.length > MAX_FILES) setText(note, `Showing the first ${MAX_FILES} of ${files.length} files.`);
    setText(summary, files.length ? `Files (${files.length})` : 'Files');
    for (const file of files.slice(0, MAX_FILES)) {
      let r = rows.get(file.index);
      if (!r) {
        r = row(file);
        rows.set(file.index, r);
        list.append(r.el);
      }
      setText(r.meta, `${formatBytes(file.length)} · ${percent(file.progress).toFixed(0)} %`);
    }
  };

  let trailing;
  let disposed = false;
  const refresh = async (force = false) => {
    if (!details.open || disposed) return;
    const wait = force ? 0 : lastFetch + REFRESH_MS - Date.now();
    if (inFlight || wait > 0) {
      // Updates arrive only on change: the last one must not be lost to the throttle, or a torrent
      // that just finished would keep showing stale file progress forever.
      trailing ??= setTimeout(
        () => {
          trailing = undefined;
          void refresh();
        },
        Math.max(wait, 200),
      );
      return;
    }
    inFlight = true;
    lastFetch = Date.now();
    try {
      files = (await api(`/api/torrents/${infoHash}/files`)).files ?? [];
      render();
    } catch {
      // The torrent may have just been removed; the list update will drop this panel.
    } finally {
      inFlight = false;
    }
  };

  details.addEventListener('toggle', () => void refresh(true));
  const dispose = () => {
    disposed = true;
    clearTimeout(trailing);
  };
  return { el: details, refresh, dispose, files: () => files };
}
