import { DomainError } from '../domain/errors.js';
import { linksFor, matchLink, type ImdbTarget, type LinkFile } from '../domain/imdb-link.js';
import type { Clock } from '../ports/clock.js';
import type { ImdbLinkStore } from '../ports/imdb-link-store.js';
import type { TorrentView } from './torrent-status.js';

/** What POST /api/torrents needs: remember that the torrent just added is an IMDb title. */
export interface ImdbLinkRecorder {
  record(infoHash: string, target: ImdbTarget, files: readonly LinkFile[]): Promise<void>;
}

/** One torrent file (or "the default file" when fileIndex is undefined) that a link points at. */
export interface LinkedFile {
  infoHash: string;
  fileIndex: number | undefined;
  /** From the torrent when we have it, else from the link. */
  fileName: string | undefined;
  /** The torrent as the library sees it; undefined when it is neither active nor cached any more. */
  view: TorrentView | undefined;
}

export class ImdbLinkService implements ImdbLinkRecorder {
  constructor(
    private readonly store: ImdbLinkStore,
    private readonly library: { get(infoHash: string): Promise<TorrentView> },
    private readonly clock: Clock,
  ) {}

  async record(infoHash: string, target: ImdbTarget, files: readonly LinkFile[]): Promise<void> {
    await this.store.save(linksFor(target, infoHash, files, this.clock.now()));
  }

  /** Files linked to `request`, newest link first, one per (torrent, file). */
  async find(request: ImdbTarget): Promise<LinkedFile[]> {
    const found: LinkedFile[] = [];
    const seen = new Set<string>();
    for (const link of await this.store.find(request.imdbId)) {
      const view = await this.view(link.infoHash);
      const match = matchLink(link, request, view?.files ?? []);
      if (!match) continue;
      const key = `${link.infoHash}:${match.fileIndex ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const fileName =
        view?.files.find((f) => f.index === match.fileIndex)?.name ??
        (match.fileIndex === link.fileIndex ? link.fileName : undefined);
      found.push({ infoHash: link.infoHash, fileIndex: match.fileIndex, fileName, view });
    }
    return found;
  }

  private async view(infoHash: string): Promise<TorrentView | undefined> {
    try {
      return await this.library.get(infoHash);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }
}
