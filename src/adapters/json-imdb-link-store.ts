import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sameLink, type ImdbLink } from '../domain/imdb-link.js';
import type { Logger } from '../logger.js';
import type { ImdbLinkStore } from '../ports/imdb-link-store.js';

interface FileShape {
  version: 1;
  links: ImdbLink[];
}

/**
 * IMDb links in one small JSON file. Links are few (one per add) and read on every Stremio stream
 * request, so they are kept in memory and the file is only the durable copy: written to a temporary
 * file and renamed over the old one, so a crash mid-write never leaves a half file behind.
 */
export class JsonImdbLinkStore implements ImdbLinkStore {
  private links: Promise<ImdbLink[]> | undefined;
  /** Writes run one after another: two adds at once must not lose one of them. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
  ) {}

  async find(imdbId: string): Promise<ImdbLink[]> {
    return (await this.load()).filter((l) => l.imdbId === imdbId).sort((a, b) => b.createdAt - a.createdAt);
  }

  save(links: readonly ImdbLink[]): Promise<void> {
    const write = this.queue.then(async () => {
      const current = await this.load();
      const next = [...current.filter((old) => !links.some((l) => sameLink(old, l))), ...links];
      await this.persist(next);
      this.links = Promise.resolve(next);
    });
    this.queue = write.catch(() => undefined);
    return write;
  }

  private load(): Promise<ImdbLink[]> {
    this.links ??= readFile(this.file, 'utf8')
      .then(
        (text) => {
          const parsed = JSON.parse(text) as Partial<FileShape>;
          return Array.isArray(parsed.links) ? parsed.links.filter(isLink) : [];
        },
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return [];
          throw err;
        },
      )
      .catch((err: unknown) => {
        // An unreadable file must not take the addon down; it is replaced on the next add.
        this.logger.warn({ err, file: this.file }, 'IMDb link file unreadable; starting with no links');
        return [];
      });
    return this.links;
  }

  private async persist(links: ImdbLink[]): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const body: FileShape = { version: 1, links };
    await writeFile(tmp, `${JSON.stringify(body, null, 1)}\n`);
    await rename(tmp, this.file);
  }
}

function isLink(value: unknown): value is ImdbLink {
  const l = value as Partial<ImdbLink> | null;
  return !!l && typeof l.imdbId === 'string' && typeof l.infoHash === 'string' && typeof l.createdAt === 'number';
}
