import { DomainError } from '../domain/errors.js';
import { parseImdbLinkFields } from '../domain/imdb-link.js';
import { parseTorrentFile, parseTorrentInput, type ParsedTorrentInput } from '../domain/torrent-input.js';
import type { TorrentFileFetcher } from '../ports/torrent-file-fetcher.js';
import type { Principal } from './auth.service.js';
import type { UsersService } from './users.service.js';
import type { ImdbLinkRecorder } from './imdb-link.service.js';
import type { TorrentService } from './torrent.service.js';
import type { TorrentView } from './torrent-status.js';

/** What a client sent to add a torrent, whatever the transport (JSON, a raw .torrent, a form, a CLI). */
export interface AddTorrentRequest {
  /** magnetUri | infoHash | torrentUrl, and optional name, wait, imdbId, season, episode. */
  fields: Record<string, unknown>;
  /** The bytes of an uploaded .torrent; wins over the fields' source. */
  torrentFile?: Uint8Array;
  /** Who adds it: a user's adds count against their daily limit, and they may remove what they added. */
  principal?: Principal;
}

export interface AddTorrentResult extends TorrentView {
  message: string;
  /** False when the torrent was already there (active or in the cache). */
  created: boolean;
}

/** How long an add waits for metadata before answering with status "connecting". */
const ADD_WAIT_MS = 15000;

/**
 * The add-torrent use case, one call for every way in (the REST API, the web page, a CLI): parse the
 * input, fetch a .torrent URL, apply a name, answer from the cache when the torrent is finished there,
 * start it, wait a little for metadata unless told not to, and record an IMDb link for the addon.
 */
export class AddTorrentService {
  constructor(
    private readonly torrents: Pick<TorrentService, 'get' | 'add' | 'waitForMetadata'>,
    private readonly cached: { viewIfReachable(infoHash: string): Promise<TorrentView | undefined> },
    private readonly fetcher: TorrentFileFetcher,
    private readonly imdbLinks: ImdbLinkRecorder,
    private readonly quota: Pick<UsersService, 'consumeAdd'>,
    private readonly waitMs = ADD_WAIT_MS,
  ) {}

  async add(request: AddTorrentRequest): Promise<AddTorrentResult> {
    const { fields } = request;
    // Validated before adding anything; stored for the Stremio addon once the files are known.
    const imdb = parseImdbLinkFields(fields);
    const input = await this.parse(request);
    const wait =
      fields.wait === undefined ||
      fields.wait === true ||
      (typeof fields.wait === 'string' && ['true', '1', 'yes'].includes(fields.wait.toLowerCase()));
    const result = await this.start(input, wait, request.principal);
    if (imdb) await this.imdbLinks.record(result.infoHash, imdb, result.files);
    return result;
  }

  private async parse(request: AddTorrentRequest): Promise<ParsedTorrentInput> {
    let input: ParsedTorrentInput | { torrentUrl: string } = request.torrentFile
      ? await parseTorrentFile(request.torrentFile)
      : await parseTorrentInput(request.fields);
    if ('torrentUrl' in input) input = await parseTorrentFile(await this.fetcher.fetch(input.torrentUrl));
    const name = request.fields.name;
    return typeof name === 'string' && name.trim() ? { ...input, name: name.trim() } : input;
  }

  private async start(
    input: ParsedTorrentInput,
    wait: boolean,
    principal: Principal | undefined,
  ): Promise<AddTorrentResult> {
    const live = this.torrents.get(input.infoHash);
    const created = !live || live.status === 'failed';
    if (created) {
      // The index unreachable is no reason to refuse an add: the torrent starts and is recorded later.
      const fromCache = await this.cached.viewIfReachable(input.infoHash);
      if (fromCache) return { ...fromCache, cached: true, created: false, message: 'Torrent found in cache' };
    }
    if (created && principal) await this.quota.consumeAdd(principal);
    this.torrents.add(input, principal?.kind === 'user' ? principal.id : undefined);
    if (wait) {
      try {
        await this.torrents.waitForMetadata(input.infoHash, this.waitMs);
      } catch (err) {
        // Still looking for peers is not an error for "add": the client polls the status.
        if (!(err instanceof DomainError && err.code === 'METADATA_TIMEOUT')) throw err;
      }
    }
    const view = this.torrents.get(input.infoHash)!;
    if (view.status === 'failed') throw new DomainError('TORRENT_FAILED', `Torrent failed: ${view.error}`);
    return { ...view, created, message: created ? 'Torrent added successfully' : 'Torrent already added' };
  }
}
