/** Downloads a .torrent file named by a URL (bounded in time and size). */
export interface TorrentFileFetcher {
  /** Rejects with UPSTREAM_ERROR when unreachable, INVALID_INPUT when too large. */
  fetch(url: string): Promise<Uint8Array>;
}
