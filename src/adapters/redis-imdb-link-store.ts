import type { ImdbLink } from '../domain/imdb-link.js';
import type { ImdbLinkStore } from '../ports/imdb-link-store.js';
import { RedisConnection, type RedisConnectionOptions } from './redis-connection.js';

/**
 * IMDb links in Redis (CACHE_BACKEND=redis), so a link made through one instance is known to all:
 * `<prefix>imdb:<imdbId>` is a hash whose field is '<season>:<episode>:<infoHash>' (the identity of
 * `sameLink`, so saving a link again replaces it) and whose value is the link as JSON.
 */
export class RedisImdbLinkStore implements ImdbLinkStore {
  private constructor(private readonly connection: RedisConnection) {}

  static async connect(options: RedisConnectionOptions): Promise<RedisImdbLinkStore> {
    const connection = new RedisConnection(options, 'RedisImdbLinkStore');
    await connection.open();
    return new RedisImdbLinkStore(connection);
  }

  private key(imdbId: string): string {
    return `${this.connection.prefix}imdb:${imdbId}`;
  }

  async find(imdbId: string): Promise<ImdbLink[]> {
    const values = Object.values(await this.connection.client.hgetall(this.key(imdbId)));
    return values
      .map((json) => parse(json))
      .filter((l): l is ImdbLink => l !== undefined && l.imdbId === imdbId)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  async save(links: readonly ImdbLink[]): Promise<void> {
    if (links.length === 0) return;
    const multi = this.connection.client.multi();
    for (const l of links)
      multi.hset(this.key(l.imdbId), `${l.season ?? ''}:${l.episode ?? ''}:${l.infoHash}`, JSON.stringify(l));
    const replies = await multi.exec();
    for (const [err] of replies ?? []) if (err) throw err;
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

function parse(json: string): ImdbLink | undefined {
  try {
    const l = JSON.parse(json) as Partial<ImdbLink> | null;
    if (!l || typeof l.imdbId !== 'string' || typeof l.infoHash !== 'string' || typeof l.createdAt !== 'number')
      return undefined;
    return l as ImdbLink;
  } catch {
    return undefined;
  }
}
