import { defaultFileIndex } from '../domain/default-file.js';
import { DomainError, invalidInput } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { MediaPlayer, MediaPlayerFactory, MediaPlayerTarget } from '../ports/media-player.js';
import type { LibraryService } from './library.service.js';
import type { FileDoneListener } from './torrent.service.js';

/** KODI_URL / KODI_USERNAME / KODI_PASSWORD. */
export interface KodiDefaults {
  url: string | undefined;
  username: string | undefined;
  password: string | undefined;
}

export interface PlaybackRequest {
  infoHash: string;
  fileIndex?: number;
  /** Per-request Kodi ({url, username?, password?}); unvalidated input from the client. */
  kodi?: unknown;
}

/** Absolute URL a player can fetch; the HTTP layer knows our public address, this service does not. */
export type StreamUrlFor = (infoHash: string, fileIndex: number, fileName: string) => string;

const NOTE =
  'Kodi accepted the request. It does not report whether the stream actually plays (it says "OK" even for a broken URL).';

/** "Play this on my Kodi": picks the file, builds our stream URL and hands it to a MediaPlayer. */
export class PlaybackService {
  private defaultKodi: { target: MediaPlayerTarget; player: MediaPlayer } | undefined;

  constructor(
    private readonly library: Pick<LibraryService, 'get'>,
    private readonly createPlayer: MediaPlayerFactory,
    private readonly defaults: KodiDefaults,
    private readonly logger: Logger,
  ) {}

  get configured(): boolean {
    return this.defaults.url !== undefined;
  }

  play(request: PlaybackRequest, streamUrl: StreamUrlFor) {
    return this.send('play', 'Player.Open', request, streamUrl, (player, url) => player.open(url));
  }

  queue(request: PlaybackRequest, streamUrl: StreamUrlFor) {
    return this.send('queue', 'Playlist.Add', request, streamUrl, (player, url) => player.queue(url));
  }

  async status(kodi?: unknown) {
    const { target, player } = this.resolve(kodi);
    await player.ping();
    const info = await player.info();
    return { reachable: true, kodi: target.url, name: info.name, version: info.version };
  }

  /** On-screen message on the configured Kodi; callers decide whether a failure matters. */
  async notify(title: string, message: string): Promise<void> {
    if (!this.configured) return;
    await this.resolve(undefined).player.notify(title, message);
  }

  /**
   * Optional nicety (subscribed to finished files when KODI_URL is set): tell the configured Kodi.
   * Fire-and-forget, because a TV that is off must never slow down or break the download pipeline.
   */
  readonly notifyFileDone: FileDoneListener = (event) => {
    const name = event.meta.files[event.fileIndex]?.name ?? event.meta.name;
    this.notify('Download finished', name).catch((err: unknown) => {
      this.logger.warn(
        { infoHash: event.infoHash, fileIndex: event.fileIndex, reason: (err as Error).message },
        'Kodi notification failed',
      );
    });
  };

  private async send(
    action: 'play' | 'queue',
    method: string,
    request: PlaybackRequest,
    streamUrl: StreamUrlFor,
    run: (player: MediaPlayer, url: string) => Promise<void>,
  ) {
    // Resolve Kodi first: a missing KODI_URL is the caller's problem to fix before anything else.
    const { target, player } = this.resolve(request.kodi);
    const view = await this.library.get(request.infoHash);
    const fileIndex = request.fileIndex ?? defaultFileIndex(view.files);
    const file = view.files.find((f) => f.index === fileIndex);
    if (fileIndex === undefined || !file) {
      throw new DomainError(
        'FILE_NOT_FOUND',
        fileIndex === undefined
          ? `Torrent ${view.infoHash} has no files yet (metadata has not arrived)`
          : `File index ${fileIndex} does not exist; torrent ${view.infoHash} has ${view.files.length} file(s)`,
      );
    }
    const url = streamUrl(view.infoHash, file.index, file.name);
    await run(player, url);
    return {
      action,
      method,
      kodi: target.url,
      infoHash: view.infoHash,
      fileIndex: file.index,
      fileName: file.name,
      url,
      note: NOTE,
    };
  }

  private resolve(input: unknown): { target: MediaPlayerTarget; player: MediaPlayer } {
    if (input === undefined || input === null) {
      if (!this.defaults.url)
        throw invalidInput(
          'No Kodi to talk to: set KODI_URL on the server or send "kodi": {"url": "http://<kodi-host>:8080"}',
        );
      // One client for the configured Kodi, so its JSON-RPC ids keep counting up across requests.
      if (!this.defaultKodi) {
        const target = kodiTarget(this.defaults.url, this.defaults.username, this.defaults.password, 'KODI_URL');
        this.defaultKodi = { target, player: this.createPlayer(target) };
      }
      return this.defaultKodi;
    }
    if (typeof input !== 'object' || Array.isArray(input))
      throw invalidInput('"kodi" must be an object like {"url": "http://<kodi-host>:8080"}');
    const { url, username, password } = input as Record<string, unknown>;
    for (const [name, value] of Object.entries({ username, password })) {
      if (value !== undefined && value !== null && typeof value !== 'string')
        throw invalidInput(`kodi.${name} must be a string`);
    }
    const given = (username ?? undefined) !== undefined || (password ?? undefined) !== undefined;
    if ((url === undefined || url === null || url === '') && !given) return this.resolve(undefined);
    if (url !== undefined && url !== null && typeof url !== 'string') throw invalidInput('kodi.url must be a string');
    // Credentials without a URL are for the configured Kodi.
    const raw = url || this.defaults.url;
    if (!raw) return this.resolve(undefined);
    let target = kodiTarget(
      raw,
      (username as string | null | undefined) ?? undefined,
      (password as string | null | undefined) ?? undefined,
      'kodi.url',
    );
    // Our configured password only ever goes to the configured Kodi, never to a host a request names.
    if (target.username === undefined && this.defaults.url && sameOrigin(this.defaults.url, target.url)) {
      target = { ...target, ...credentials(this.defaults.username, this.defaults.password) };
    }
    return { target, player: this.createPlayer(target) };
  }
}

/**
 * Validates an http(s) Kodi URL and moves any "user:pass@" out of it (fetch refuses such URLs, and the
 * URL is shown in messages). Explicit credentials win over the URL's.
 */
function kodiTarget(
  raw: string,
  username: string | undefined,
  password: string | undefined,
  field: string,
): MediaPlayerTarget {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalidInput(`${field} must be an absolute http(s) URL such as http://192.168.1.20:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidInput(`${field} must be an http(s) URL (Kodi's web server), got ${url.protocol}`);
  const fromUrl = credentials(
    url.username ? decodeURIComponent(url.username) : undefined,
    url.password ? decodeURIComponent(url.password) : undefined,
  );
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  const explicit = username !== undefined || password !== undefined;
  return { url: url.href.replace(/\/+$/, ''), ...(explicit ? credentials(username ?? '', password) : fromUrl) };
}

function credentials(
  username: string | undefined,
  password: string | undefined,
): Pick<MediaPlayerTarget, 'username' | 'password'> {
  if (username === undefined && password === undefined) return {};
  return { username: username ?? '', ...(password !== undefined ? { password } : {}) };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
