/**
 * What the app counts and times for /metrics. Services and routes call these; only the Prometheus
 * adapter knows the wire format. Snapshots (torrents, speeds, peers, DHT nodes, cache totals and its
 * hit/miss/eviction counters) are read from the services at scrape time, so nothing here covers them.
 */
export interface Metrics {
  /** From the start of a stream request to its first body byte, in ms. */
  observeTimeToFirstByte(ms: number): void;
  /** The same for a ranged request that starts past byte 0 (a player seeking), in ms. */
  observeSeek(ms: number): void;
  streamOpened(): void;
  streamClosed(): void;
  /** A stream read that failed because no data came (STREAM_STALLED). */
  stall(): void;
  /** One answered HTTP request: `route` is the matched Express pattern, never the raw URL. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
}

/** What one scrape reads from the running services. */
export interface MetricsSnapshotSources {
  torrents(): {
    byStatus: Record<string, number>;
    downloadedBytes: number;
    uploadedBytes: number;
    downloadSpeed: number;
    uploadSpeed: number;
    peers: number;
    dhtNodes: number;
  };
  cache(): Promise<{ entries: number; bytes: number; hits: number; misses: number; evictions: number }>;
}

/** The exposition: what GET /metrics answers. */
export interface MetricsExposition {
  readonly contentType: string;
  render(): Promise<string>;
}
