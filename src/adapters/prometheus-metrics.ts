import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics, MetricsExposition, MetricsSnapshotSources } from '../ports/metrics.js';

type TorrentSnapshot = ReturnType<MetricsSnapshotSources['torrents']>;
type CacheSnapshot = Awaited<ReturnType<MetricsSnapshotSources['cache']>>;

/** Seconds: from a cache hit on a local disk (ms) to a torrent that has to find peers first (tens of s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 300];
const STATUSES = ['connecting', 'connected', 'downloading', 'complete', 'failed'];

/**
 * The only home of prom-client. Events (streams, latencies, stalls, HTTP requests) are counted as they
 * happen; snapshots (torrents, speeds, peers, DHT nodes, the cache's totals and counters) are read from
 * the services once per scrape, in `render`, so a scrape costs one cache `stats()` call.
 */
export class PrometheusMetrics implements Metrics, MetricsExposition {
  private readonly registry = new Registry();
  private readonly ttfb: Histogram;
  private readonly seek: Histogram;
  private readonly http: Histogram<'route' | 'method' | 'status'>;
  /** The histogram's children by label values: prom-client hashes the labels object on every observe otherwise. */
  private readonly httpChildren = new Map<string, Histogram.Internal<'route' | 'method' | 'status'>>();
  private readonly activeStreams: Gauge;
  private readonly streams: Counter;
  private readonly stalls: Counter;
  private torrentSnapshot: TorrentSnapshot | undefined;
  private cacheSnapshot: CacheSnapshot | undefined;
  private cacheUp = true;

  constructor(private readonly sources: MetricsSnapshotSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'tss_' });
    this.ttfb = new Histogram({
      name: 'tss_stream_time_to_first_byte_seconds',
      help: 'From a stream request to its first body byte',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.seek = new Histogram({
      name: 'tss_stream_seek_latency_seconds',
      help: 'Time to first byte of ranged stream requests that start past byte 0 (seeks)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.http = new Histogram({
      name: 'tss_http_request_duration_seconds',
      help: 'HTTP requests by matched route pattern, method and status (streams: until the response ends)',
      labelNames: ['route', 'method', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.activeStreams = new Gauge({ name: 'tss_active_streams', help: 'Stream responses open now', registers });
    this.streams = new Counter({ name: 'tss_streams_total', help: 'Stream responses started', registers });
    this.stalls = new Counter({
      name: 'tss_stream_stalls_total',
      help: 'Stream reads that failed because no data came in time (STREAM_STALLED)',
      registers,
    });
    this.snapshotGauges(registers);
  }

  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;

  async render(): Promise<string> {
    this.torrentSnapshot = this.sources.torrents();
    try {
      this.cacheSnapshot = await this.sources.cache();
      this.cacheUp = true;
    } catch {
      this.cacheUp = false; // the index is unreachable: the cache series keep their last values
    }
    return this.registry.metrics();
  }

  observeTimeToFirstByte(ms: number): void {
    this.ttfb.observe(ms / 1000);
  }

  observeSeek(ms: number): void {
    this.seek.observe(ms / 1000);
  }

  streamOpened(): void {
    this.streams.inc();
    this.activeStreams.inc();
  }

  streamClosed(): void {
    this.activeStreams.dec();
  }

  stall(): void {
    this.stalls.inc();
  }

  httpRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${status} ${method} ${route}`;
    let child = this.httpChildren.get(key);
    if (!child) this.httpChildren.set(key, (child = this.http.labels({ route, method, status: String(status) })));
    child.observe(seconds);
  }

  private snapshotGauges(registers: Registry[]): void {
    const torrents = () => this.torrentSnapshot;
    const cache = () => this.cacheSnapshot;
    const gauge = (name: string, help: string, read: () => number | undefined) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read() ?? 0);
        },
      });
    // Counters the cache service keeps itself: exposed as counters, set to its running totals.
    const counter = (name: string, help: string, read: () => number | undefined) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read() ?? 0);
        },
      });

    new Gauge({
      name: 'tss_torrents',
      help: 'Torrents by status',
      labelNames: ['status'],
      registers,
      collect() {
        const byStatus = torrents()?.byStatus ?? {};
        for (const status of new Set([...STATUSES, ...Object.keys(byStatus)]))
          this.set({ status }, byStatus[status] ?? 0);
      },
    });
    gauge(
      'tss_torrent_downloaded_bytes',
      'Bytes downloaded by the torrents running now',
      () => torrents()?.downloadedBytes,
    );
    gauge('tss_torrent_uploaded_bytes', 'Bytes uploaded by the torrents running now', () => torrents()?.uploadedBytes);
    gauge('tss_download_speed_bytes', 'Download speed, bytes per second', () => torrents()?.downloadSpeed);
    gauge('tss_upload_speed_bytes', 'Upload speed, bytes per second', () => torrents()?.uploadSpeed);
    gauge('tss_peers', 'Peers connected, over all torrents', () => torrents()?.peers);
    gauge('tss_dht_nodes', 'Nodes in the DHT routing table (0 when the DHT is off)', () => torrents()?.dhtNodes);
    gauge('tss_cache_entries', 'Files in the disk cache index', () => cache()?.entries);
    gauge('tss_cache_bytes', 'Bytes of the files in the disk cache index', () => cache()?.bytes);
    counter('tss_cache_hits_total', 'Stream requests served from the disk cache', () => cache()?.hits);
    counter('tss_cache_misses_total', 'Stream requests the disk cache did not have', () => cache()?.misses);
    gauge('tss_cache_index_up', 'Whether the last scrape could read the cache index (1) or not (0)', () =>
      this.cacheUp ? 1 : 0,
    );
    counter('tss_cache_evictions_total', 'Files evicted from the disk cache', () => cache()?.evictions);
  }
}
