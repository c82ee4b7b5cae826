import { h, setText } from './dom.js';
import { createFilesPanel } from './files-panel.js';
import { formatEta, formatSpeed, percent } from './format.js';

const STATUS_TEXT = {
  connecting: 'Connecting',
  connected: 'Connected',
  downloading: 'Downloading',
  complete: 'Complete',
  failed: 'Failed',
};

/**
 * The live list of torrents. `update(list)` is called with every pushed or polled list; cards are
 * keyed by info hash and patched in place (never re-rendered) so focus, open panels and the
 * playing video survive the updates.
 */
export function createTorrentList(container, actions) {
  const cards = new Map();
  const empty = h('p', {
    class: 'empty muted',
    text: 'No torrents yet. Add one with a magnet link, an info hash or a .torrent file.',
  });
  container.after(empty);

  const card = (t) => {
    const nameId = `name-${t.infoHash}`;
    const name = h('h3', { class: 'torrent-name', id: nameId });
    const badge = h('span', { class: 'badge' });
    const bar = h('progress', { max: 100, value: 0, 'aria-labelledby': nameId });
    const pct = h('span', { class: 'pct' });
    const stat = (label) => {
      const dd = h('dd');
      return { el: h('div', {}, h('dt', { text: label }), dd), dd };
    };
    const down = stat('Down');
    const up = stat('Up');
    const peers = stat('Peers');
    const eta = stat('ETA');
    const error = h('p', { class: 'torrent-error', role: 'alert', hidden: true });
    const torrentActions = {
      play: (file, files) => actions.play(current, file, files),
      copyUrl: (path) => actions.copyUrl(path),
      kodi: (file) => actions.kodi(current, file),
    };
    const files = createFilesPanel(t.infoHash, torrentActions);
    const remove = h(
      'button',
      { type: 'button', class: 'btn btn-danger', onclick: () => actions.remove(current) },
      'Remove',
    );
    const m3u = h(
      'a',
      { class: 'btn', href: `/playlist/${t.infoHash}.m3u`, title: 'Playlist for VLC, Kodi and other players' },
      'M3U playlist',
    );
    const el = h(
      'li',
      { class: 'torrent', 'data-hash': t.infoHash },
      h(
        'article',
        { 'aria-labelledby': nameId },
        h('div', { class: 'torrent-head' }, name, badge),
        h('div', { class: 'progress-row' }, bar, pct),
        h('dl', { class: 'stats' }, down.el, up.el, peers.el, eta.el),
        error,
        h('div', { class: 'torrent-actions' }, m3u, remove),
        files.el,
      ),
    );
    let current = t;
    let lastProgress;
    return {
      el,
      dispose: files.dispose,
      update(next) {
        current = next;
        setText(name, next.name || next.infoHash);
        const label = next.cached ? 'Cached' : (STATUS_TEXT[next.status] ?? next.status);
        setText(badge, label);
        badge.className = `badge status-${next.cached ? 'cached' : next.status}`;
        const value = percent(next.progress);
        bar.value = value;
        setText(pct, `${value.toFixed(1)} %`);
        setText(down.dd, formatSpeed(next.downloadSpeed));
        setText(up.dd, formatSpeed(next.uploadSpeed));
        setText(peers.dd, String(next.peers ?? 0));
        setText(eta.dd, next.status === 'complete' ? 'done' : formatEta(next.timeRemaining));
        error.hidden = !next.error;
        setText(error, next.error ?? '');
        // File progress only moves while the torrent does; a finished torrent is fetched once.
        if (files.files().length === 0 || next.progress !== lastProgress) void files.refresh();
        lastProgress = next.progress;
      },
    };
  };

  return {
    update(data) {
      const list = data.torrents ?? [];
      const seen = new Set();
      list.forEach((t, i) => {
        seen.add(t.infoHash);
        let c = cards.get(t.infoHash);
        if (!c) {
          c = card(t);
          cards.set(t.infoHash, c);
        }
        c.update(t);
        // Move only when out of place: moving a node that holds focus would drop the focus.
        if (container.children[i] !== c.el) container.insertBefore(c.el, container.children[i] ?? null);
      });
      for (const [hash, c] of cards) {
        if (seen.has(hash)) continue;
        c.dispose();
        c.el.remove();
        cards.delete(hash);
      }
      empty.hidden = list.length > 0;
    },
  };
}
