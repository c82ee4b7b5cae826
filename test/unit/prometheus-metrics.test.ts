import { noopMetrics } from '../../src/adapters/noop-metrics.js';
import { PrometheusMetrics } from '../../src/adapters/prometheus-metrics.js';
import type { Metrics, MetricsSnapshotSources } from '../../src/ports/metrics.js';

// The adapter alone: events are counted as they come, snapshots are read once per scrape, and an
// unreachable cache index shows as tss_cache_index_up 0 instead of zeros.
const torrents = (): ReturnType<MetricsSnapshotSources['torrents']> => ({
  byStatus: { downloading: 2, complete: 1 },
  downloadedBytes: 3000,
  uploadedBytes: 100,
  downloadSpeed: 512,
  uploadSpeed: 64,
  peers: 7,
  dhtNodes: 120,
});

const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

test('snapshots and events land in the exposition', async () => {
  let scrapes = 0;
  const metrics = new PrometheusMetrics({
    torrents,
    cache: async () => {
      scrapes++;
      return { entries: 4, bytes: 4096, hits: 10, misses: 3, evictions: 1 };
    },
  });
  metrics.streamOpened();
  metrics.streamOpened();
  metrics.streamClosed();
  metrics.observeTimeToFirstByte(120);
  metrics.observeSeek(40);
  metrics.stall();
  metrics.httpRequest('/api/torrents/:infoHash', 'GET', 200, 0.004);

  const text = await metrics.render();
  expect(scrapes).toBe(1);
  expect(line(text, 'tss_torrents{status="downloading"}')).toBe('tss_torrents{status="downloading"} 2');
  expect(line(text, 'tss_torrents{status="failed"}')).toBe('tss_torrents{status="failed"} 0');
  expect(line(text, 'tss_dht_nodes ')).toBe('tss_dht_nodes 120');
  expect(line(text, 'tss_peers ')).toBe('tss_peers 7');
  expect(line(text, 'tss_cache_hits_total ')).toBe('tss_cache_hits_total 10');
  expect(line(text, 'tss_active_streams ')).toBe('tss_active_streams 1');
  expect(line(text, 'tss_streams_total ')).toBe('tss_streams_total 2');
  expect(line(text, 'tss_stream_stalls_total ')).toBe('tss_stream_stalls_total 1');
  expect(line(text, 'tss_stream_time_to_first_byte_seconds_bucket{le="0.25"}')).toMatch(/ 1$/);
  expect(line(text, 'tss_stream_time_to_first_byte_seconds_bucket{le="0.1"}')).toMatch(/ 0$/);
  expect(line(text, 'tss_stream_seek_latency_seconds_count ')).toBe('tss_stream_seek_latency_seconds_count 1');
  expect(text).toContain(
    'tss_http_request_duration_seconds_count{route="/api/torrents/:infoHash",method="GET",status="200"} 1',
  );
  // A second scrape reads the counters again rather than adding them up.
  expect(line(await metrics.render(), 'tss_cache_hits_total ')).toBe('tss_cache_hits_total 10');
});

test('an unreachable cache index: tss_cache_index_up 0, the cache series keep their last values', async () => {
  let reachable = true;
  const metrics = new PrometheusMetrics({
    torrents,
    cache: async () => {
      if (!reachable) throw new Error('index unreachable');
      return { entries: 4, bytes: 4096, hits: 10, misses: 3, evictions: 1 };
    },
  });
  expect(line(await metrics.render(), 'tss_cache_index_up ')).toBe('tss_cache_index_up 1');
  reachable = false;
  const text = await metrics.render();
  expect(line(text, 'tss_cache_index_up ')).toBe('tss_cache_index_up 0');
  expect(line(text, 'tss_cache_entries ')).toBe('tss_cache_entries 4');
  expect(line(text, 'tss_cache_hits_total ')).toBe('tss_cache_hits_total 10');
  expect(line(text, 'tss_torrents{status="complete"}')).toBe('tss_torrents{status="complete"} 1');
});

test('the no-op metrics take every call', () => {
  const calls: Array<(m: Metrics) => void> = [
    (m) => m.observeTimeToFirstByte(1),
    (m) => m.observeSeek(1),
    (m) => m.streamOpened(),
    (m) => m.streamClosed(),
    (m) => m.stall(),
    (m) => m.httpRequest('/x', 'GET', 200, 0.1),
  ];
  for (const call of calls) expect(() => call(noopMetrics)).not.toThrow();
});
