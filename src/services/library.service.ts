import { DomainError, notFound } from '../domain/errors.js';
import type { ParsedTorrentInput } from '../domain/torrent-input.js';
import type { TorrentService } from './torrent.service.js';
import type { TorrentView } from './torrent-status.js';

/** What the library needs from the disk cache: torrents that are finished and indexed. */
export interface CachedTorrents {
  view(infoHash: string): Promise<TorrentView | undefined>;
  list(): Promise<TorrentView[]>;
  /** Drops the index entries (and the files when asked); returns whether there was anything. */
  remove(infoHash: string, deleteFiles: boolean): Promise<boolean>;
}

export interface AddResult extends TorrentView {
  message: string;
  created: boolean;
}

/** How long POST /api/torrents waits for metadata before answering with status "connecting". */
const ADD_WAIT_MS = 15000;

/**
 * The REST API's view of "my torrents": live torrents in the engine plus finished ones in the cache.
 */
export class LibraryService {
  constructor(
    private readonly torrents: TorrentService,
    private readonly cached: CachedTorrents | undefined,
    private readonly addWaitMs = ADD_WAIT_MS,
  ) {}

  async add(input: ParsedTorrentInput, options: { wait: boolean }): Promise<AddResult> {
    const live = this.torrents.get(input.infoHash);
    if (!live || live.status === 'failed') {
      const fromCache = await this.cached?.view(input.infoHash);
      if (fromCache) return { ...fromCache, cached: true, created: false, message: 'Torrent found in cache' };
    }
    const created = !live || live.status === 'failed';
    this.torrents.add(input);
    if (options.wait) {
      try {
        await this.torrents.waitForMetadata(input.infoHash, this.addWaitMs);
      } catch (err) {
        // Still looking for peers is not an error for "add": the client polls the status.
        if (!(err instanceof DomainError && err.code === 'METADATA_TIMEOUT')) throw err;
      }
    }
    const view = this.torrents.get(input.infoHash)!;
    const message = view.status === 'failed' ? `Torrent failed: ${view.error}` : created ? 'Torrent added successfully' : 'Torrent already added';
    if (view.status === 'failed') throw new DomainError('TORRENT_FAILED', message);
    return { ...view, created, message };
  }

  async get(infoHash: string): Promise<TorrentView> {
    const view = this.torrents.get(infoHash) ?? (await this.cached?.view(infoHash));
    if (!view) throw notFound(`Torrent ${infoHash} not found`);
    return view;
  }

  /** Like `get`, but waits (up to TORRENT_TIMEOUT, then METADATA_TIMEOUT) for a live torrent's file list. */
  async getWithFiles(infoHash: string): Promise<TorrentView> {
    const view = await this.get(infoHash);
    if (view.files.length > 0 || view.cached || view.status === 'failed') return view;
    await this.torrents.waitForMetadata(infoHash);
    return this.get(infoHash);
  }

  async list(): Promise<TorrentView[]> {
    const live = this.torrents.list();
    const seen = new Set(live.map((t) => t.infoHash));
    const cached = (await this.cached?.list()) ?? [];
    return [...live, ...cached.filter((t) => !seen.has(t.infoHash))];
  }

  /**
   * Stops a torrent. Finished files stay in the cache (and keep streaming) unless `deleteFiles`,
   * which also deletes them and their index entries. Unfinished files are always left to the cleaner.
   */
  async remove(infoHash: string, deleteFiles: boolean): Promise<{ keptInCache: boolean }> {
    const wasLive = this.torrents.has(infoHash);
    if (wasLive) await this.torrents.remove(infoHash, deleteFiles);
    const wasCached = deleteFiles ? ((await this.cached?.remove(infoHash, true)) ?? false) : (await this.cached?.view(infoHash)) !== undefined;
    if (!wasLive && !wasCached) throw notFound(`Torrent ${infoHash} not found`);
    return { keptInCache: wasCached && !deleteFiles };
  }

}
