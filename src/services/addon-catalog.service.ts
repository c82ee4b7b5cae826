import { parseEpisode } from '../domain/episode.js';
import { mediaKind } from '../domain/mime.js';
import { btihId } from '../domain/stremio-ids.js';
import type { FileView, TorrentView } from './torrent-status.js';

/** Stremio asks for the next page with `skip`; this many items per page. */
export const CATALOG_PAGE_SIZE = 100;

export interface AddonVideo {
  id: string;
  title: string;
  released: string;
  season?: number;
  episode?: number;
  overview: string;
}

export interface AddonMeta {
  id: string;
  type: 'movie' | 'series';
  name: string;
  description: string;
  releaseInfo: string;
  released: string;
  videos: AddonVideo[];
  behaviorHints?: { defaultVideoId: string };
}

/**
 * "My torrents" for Stremio: every torrent the server has, active or cached, as meta items whose
 * videos are the torrent's video files. One video makes a movie; several make a series, with the
 * season/episode read from the file names so Stremio lists them in order.
 */
export class AddonCatalogService {
  constructor(
    private readonly library: { list(): Promise<TorrentView[]>; get(infoHash: string): Promise<TorrentView> },
  ) {}

  /**
   * The library's order (newest first). Previews leave the videos out: a catalog page should stay
   * small, and Stremio asks for the meta on opening.
   */
  async catalog(skip = 0): Promise<Array<Omit<AddonMeta, 'videos'>>> {
    const views = await this.library.list();
    return views.slice(skip, skip + CATALOG_PAGE_SIZE).map((view) => {
      const { videos: _videos, ...preview } = toMeta(view);
      return preview;
    });
  }

  /** Throws NOT_FOUND for a torrent the server does not have. */
  async meta(infoHash: string): Promise<{ meta: AddonMeta; cached: boolean }> {
    const view = await this.library.get(infoHash);
    return { meta: toMeta(view), cached: view.cached };
  }
}

export function toMeta(view: TorrentView): AddonMeta {
  const videos = view.files.filter((f) => mediaKind(f.name) === 'video');
  const type = videos.length > 1 ? 'series' : 'movie';
  const total = videos.reduce((sum, f) => sum + f.length, 0);
  const state = view.cached ? 'cached' : `${view.status} ${view.progress}%`;
  const meta: AddonMeta = {
    id: btihId(view.infoHash),
    type,
    name: view.name,
    description: `${state} · ${videos.length} video file${videos.length === 1 ? '' : 's'} · ${formatBytes(total)}`,
    releaseInfo: view.addedAt.slice(0, 10),
    released: view.addedAt,
    videos: videos.map((f) => toVideo(view, f)),
  };
  // A movie opens straight on its file's streams instead of an empty detail page.
  if (type === 'movie' && meta.videos[0]) meta.behaviorHints = { defaultVideoId: meta.videos[0].id };
  return meta;
}

function toVideo(view: TorrentView, file: FileView): AddonVideo {
  const episode = parseEpisode(file.name);
  return {
    id: btihId(view.infoHash, file.index),
    title: file.name,
    released: view.addedAt,
    ...(episode ? { season: episode.season, episode: episode.episode } : {}),
    overview: `${formatBytes(file.length)} · ${file.progress}% downloaded`,
  };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
