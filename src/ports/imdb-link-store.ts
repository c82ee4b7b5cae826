import type { ImdbLink } from '../domain/imdb-link.js';

/** Where IMDb links live; they must survive restarts (the JSON-file adapter keeps them next to the cache db). */
export interface ImdbLinkStore {
  /** Links of one IMDb title, newest first. */
  find(imdbId: string): Promise<ImdbLink[]>;
  /** Adds links; one with the same title, episode and torrent as a stored one replaces it. */
  save(links: readonly ImdbLink[]): Promise<void>;
}
