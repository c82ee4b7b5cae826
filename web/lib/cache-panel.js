import { api } from './api.js';
import { setText } from './dom.js';
import { formatBytes, percent } from './format.js';

const REFRESH_MS = 10000;

/**
 * The cache panel: numbers from GET /api/cache-stats, a disk usage bar, and a force-cleanup button
 * (POST /api/cache-config {forceCleanup: true}). Refreshes slowly, and right after list changes.
 */
export function createCachePanel(root, notify) {
  const $ = (name) => root.querySelector(`[data-cache="${name}"]`);
  const bar = $('bar');
  const button = $('cleanup');
  let timer;

  const refresh = async () => {
    try {
      const s = await api('/api/cache-stats');
      const used = percent(s.diskUsagePercent);
      bar.value = used;
      bar.classList.toggle('warn', used >= 80);
      setText(
        $('usage'),
        `${formatBytes(s.diskUsage * 1024 * 1024)} of ${formatBytes(s.maxDiskUsage * 1024 * 1024)} (${used.toFixed(1)} %)`,
      );
      setText($('backend'), s.backend);
      setText($('entries'), `${s.size} / ${s.maxSize}`);
      setText($('hits'), s.hits === undefined ? '—' : `${s.hitRate} % (${s.hits} hits, ${s.misses} misses)`);
      setText($('interval'), `every ${s.cleanupInterval} s`);
      root.querySelector('.panel-body').hidden = false;
      $('unavailable').hidden = true;
    } catch (err) {
      root.querySelector('.panel-body').hidden = true;
      $('unavailable').hidden = false;
      setText($('unavailable'), `Cache statistics unavailable: ${err.message}`);
    }
  };

  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const r = await api('/api/cache-config', { method: 'POST', body: { forceCleanup: true } });
      notify(`Cache cleaned: ${r.cleanedCount} file(s) removed, ${formatBytes(r.freedSpaceMB * 1024 * 1024)} freed.`);
    } catch (err) {
      notify(`Cleanup failed: ${err.message}`, true);
    } finally {
      button.disabled = false;
      await refresh();
    }
  });

  const start = () => {
    void refresh();
    clearInterval(timer);
    // A background tab does not need fresh numbers; it refreshes when shown again.
    timer = setInterval(() => !document.hidden && refresh(), REFRESH_MS);
  };
  return { refresh, start };
}
