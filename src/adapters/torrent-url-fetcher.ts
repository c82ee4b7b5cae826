import { DomainError } from '../domain/errors.js';
import type { TorrentFileFetcher } from '../ports/torrent-file-fetcher.js';

const MAX_BYTES = 10 * 1024 * 1024;
const TIMEOUT_MS = 15000;

/** Downloads a .torrent from an http(s) URL, bounded in time and size. */
export const httpTorrentFileFetcher: TorrentFileFetcher = { fetch: fetchTorrentFile };

async function fetchTorrentFile(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
  } catch (err) {
    throw new DomainError('UPSTREAM_ERROR', `Could not download the .torrent from ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) throw new DomainError('UPSTREAM_ERROR', `Downloading the .torrent from ${url} failed with HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BYTES) throw new DomainError('INVALID_INPUT', `The .torrent at ${url} is larger than 10 MiB`);
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.length > MAX_BYTES) throw new DomainError('INVALID_INPUT', `The .torrent at ${url} is larger than 10 MiB`);
  return body;
}
