/**
 * A remote media player we can drive (Kodi today). Every method rejects with a DomainError
 * ('UPSTREAM_ERROR') whose message names the cause and never contains a password.
 */
export interface MediaPlayer {
  /**
   * Asks the player to open `url` now. Kodi acknowledges before it has even tried to fetch the URL
   * (it answers "OK" for a 404), so resolving means "request accepted", not "playback started".
   */
  open(url: string): Promise<void>;
  /** Appends `url` to the player's video playlist. */
  queue(url: string): Promise<void>;
  /** Resolves when the player answers its ping. */
  ping(): Promise<void>;
  info(): Promise<MediaPlayerInfo>;
  /** Shows a short on-screen message. */
  notify(title: string, message: string): Promise<void>;
}

export interface MediaPlayerInfo {
  name: string;
  /** As the player reports it, e.g. Kodi's { major, minor, revision, tag }. */
  version: Record<string, unknown>;
}

/** Where a player lives; `url` never carries credentials (they travel separately, as Basic auth). */
export interface MediaPlayerTarget {
  url: string;
  username?: string;
  password?: string;
}

export type MediaPlayerFactory = (target: MediaPlayerTarget) => MediaPlayer;
