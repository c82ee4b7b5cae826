import { api } from './api.js';

const POLL_MS = 2000;
const RECONNECT_MS = 15000;

/**
 * Keeps `onList` fed with the torrent list (the `data` of GET /api/torrents). Server-sent events
 * first: the server pushes only on change. When the stream is unavailable (old proxy, server
 * restarting, no EventSource) it polls instead, and goes back to the stream once it reopens.
 * `onMode` gets 'live' | 'polling' | 'offline' for the connection indicator.
 */
export function followTorrents(onList, onMode) {
  let pollTimer;

  const poll = async () => {
    try {
      onList(await api('/api/torrents'));
      // refresh() after an action also lands here; only the timer means "we are polling".
      if (pollTimer) onMode('polling');
    } catch {
      onMode('offline');
    }
  };
  const startPolling = () => {
    if (pollTimer) return;
    void poll();
    pollTimer = setInterval(poll, POLL_MS);
  };
  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = undefined;
  };

  if (typeof EventSource === 'undefined') {
    startPolling();
    return { refresh: poll };
  }

  const connect = () => {
    const source = new EventSource('/api/events');
    source.addEventListener('open', () => {
      stopPolling();
      onMode('live');
    });
    source.addEventListener('torrents', (event) => {
      try {
        onList(JSON.parse(event.data));
      } catch {
        // A malformed frame is dropped; the next change brings a full list again.
      }
    });
    source.addEventListener('error', () => {
      startPolling();
      // EventSource retries by itself while CONNECTING, but a 404/502 answer (a proxy during a
      // restart) closes it for good: try a fresh one later, polling meanwhile.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, RECONNECT_MS);
    });
  };
  connect();

  // After an action (add/remove) the page asks for a fresh list instead of waiting for the push.
  return { refresh: poll };
}
