import { notFound } from '../domain/errors.js';
import type { TorrentService } from './torrent.service.js';
import type { TorrentView } from './torrent-status.js';

/** What the library needs from the disk cache: torrents that are finished and indexed. */
export interface CachedTorrents {
  view(infoHash: string): Promise<TorrentView | undefined>;
  list(): Promise<TorrentView[]>;
  /** Drops the index entries (and the files when asked); returns whether there was anything. */
  remove(infoHash: string, deleteFiles: boolean): Promise<boolean>;
}

/**
 * The REST API's view of "my torrents": live torrents in the engine plus finished ones in the cache.
 */
export class LibraryService {
  constructor(
    private readonly torrents: TorrentService,
    private readonly cached: CachedTorrents,
  ) {}

  async get(infoHash: string): Promise<TorrentView> {
    const view = this.torrents.get(infoHash) ?? (await this.cached.view(infoHash));
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

  /** Newest first, active and cached together (a torrent both active and cached is listed once, as active). */
  async list(): Promise<TorrentView[]> {
    const live = this.torrents.list();
    const seen = new Set(live.map((t) => t.infoHash));
    const cached = (await this.cached.list()).filter((t) => !seen.has(t.infoHash));
    return [...live, ...cached].sort((a, b) => Date.parse(b.addedAt) - Date.parse(a.addedAt));
  }

  /**
   * Stops a torrent. Finished files stay in the cache (and keep streaming) unless `deleteFiles`,
   * which also deletes them and their index entries. Unfinished files are always left to the cleaner.
   */
  async remove(infoHash: string, deleteFiles: boolean): Promise<{ keptInCache: boolean }> {
    const wasLive = this.torrents.has(infoHash);
    if (wasLive) await this.torrents.remove(infoHash, deleteFiles);
    const wasCached = deleteFiles
      ? await this.cached.remove(infoHash, true)
      : (await this.cached.view(infoHash)) !== undefined;
    if (!wasLive && !wasCached) throw notFound(`Torrent ${infoHash} not found`);
    return { keptInCache: wasCached && !deleteFiles };
  }
}
