import { DomainError } from '../domain/errors.js';
import type { OutboundHttp } from '../ports/outbound-http.js';
import type { TorrentFileFetcher } from '../ports/torrent-file-fetcher.js';

const MAX_BYTES = 10 * 1024 * 1024;
const TIMEOUT_MS = 15000;

/** Downloads a .torrent from an http(s) URL through the guarded outbound client, bounded in time and size. */
export class HttpTorrentFileFetcher implements TorrentFileFetcher {
  constructor(private readonly http: OutboundHttp) {}

  async fetch(url: string): Promise<Uint8Array> {
    let response;
    try {
      response = await this.http.request(url, { timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES });
    } catch (err) {
      if (err instanceof DomainError && err.details?.tooLarge)
        throw new DomainError('INVALID_INPUT', `The .torrent at ${url} is larger than 10 MiB`);
      if (err instanceof DomainError && err.code !== 'UPSTREAM_ERROR') throw err;
      throw new DomainError('UPSTREAM_ERROR', `Could not download the .torrent from ${url}: ${(err as Error).message}`);
    }
    if (response.status < 200 || response.status > 299) {
      throw new DomainError(
        'UPSTREAM_ERROR',
        `Downloading the .torrent from ${url} failed with HTTP ${response.status}`,
      );
    }
    return new Uint8Array(response.body);
  }
}
