import { DomainError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../ports/clock.js';
import type { EngineTorrent, TorrentEngine, TorrentMeta } from '../ports/torrent-engine.js';
import type { KnownSources } from './torrent-sources.js';

/** The first retry waits this long; each further one twice as long as the one before. */
const BACKOFF_BASE_MS = 1000;

/** What the attempts read and write of a torrent the service manages. */
export interface AttemptedTorrent {
  readonly infoHash: string;
  /** The source each attempt starts from (the richest known when it starts). */
  readonly sources: KnownSources;
  /** Aborted when a later add brings sources the running attempt lacks: it restarts with them. */
  sourcesChanged: AbortController;
  /** Aborted when the torrent is removed: the attempts stop. */
  readonly abort: AbortController;
  engine: EngineTorrent | undefined;
  failure: string | undefined;
}

export interface MetadataAttemptsDeps {
  engine: TorrentEngine;
  clock: Clock;
  logger: Logger;
  /** How long one attempt waits for the metadata. */
  timeoutMs: number;
  /** Attempts after the first one that timed out. */
  maxRetries: number;
  /** The torrent gave up: what it reserved on disk is void. */
  releaseTorrent(infoHash: string): void;
}

/**
 * Getting a torrent's metadata from the engine: one attempt per TORRENT_TIMEOUT, retried with exponential
 * backoff up to TORRENT_MAX_RETRIES times, restarted at once (not counted) when new sources arrive, and
 * ended for good on a permanent error or once every attempt timed out (the torrent's `failure` says why).
 */
export class MetadataAttempts {
  constructor(private readonly deps: MetadataAttemptsDeps) {}

  /** Resolves with the metadata once `onMetadata` (run on the attempt that got it) has finished. */
  async fetch(
    managed: AttemptedTorrent,
    onMetadata: (engine: EngineTorrent, meta: TorrentMeta) => Promise<void>,
  ): Promise<TorrentMeta> {
    const { engine: torrents, clock, logger, timeoutMs } = this.deps;
    const { signal } = managed.abort;
    const attempts = this.deps.maxRetries + 1;
    let restarted = false;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // An abort during the backoff (the torrent was removed) ends the loop with TORRENT_FAILED below, never a raw
      // AbortError; new sources end the backoff early.
      if (attempt > 1 && !restarted) {
        const wake = AbortSignal.any([signal, managed.sourcesChanged.signal]);
        await clock.sleep(BACKOFF_BASE_MS * 2 ** (attempt - 2), wake).catch(() => undefined);
      }
      restarted = false;
      if (signal.aborted) break;
      const superseded = (managed.sourcesChanged = new AbortController());
      const engine = torrents.add(managed.sources.source);
      managed.engine = engine;
      try {
        const meta = await withTimeout(
          clock,
          engine.ready,
          timeoutMs,
          () => new DomainError('METADATA_TIMEOUT', 'metadata timeout'),
          AbortSignal.any([signal, superseded.signal]),
        );
        await onMetadata(engine, meta);
        return meta;
      } catch (err) {
        if (signal.aborted) break;
        if (superseded.signal.aborted) {
          // Not a failed attempt: the same attempt again, at once, from the richer source.
          managed.engine = undefined;
          await torrents.remove(managed.infoHash, { deleteFiles: false });
          restarted = true;
          attempt--;
          continue;
        }
        const permanent = err instanceof DomainError && err.code !== 'METADATA_TIMEOUT';
        logger.warn({ infoHash: managed.infoHash, attempt, err: String(err) }, 'metadata attempt failed');
        managed.engine = undefined;
        await torrents.remove(managed.infoHash, { deleteFiles: false });
        if (permanent) return this.fail(managed, (err as Error).message, err as DomainError);
        if (attempt === attempts) {
          const reason =
            err instanceof DomainError
              ? `No peers found: no metadata after ${attempts} attempt${attempts === 1 ? '' : 's'} of ${Math.round(timeoutMs / 1000)} s`
              : `Torrent failed: ${(err as Error).message}`;
          return this.fail(managed, reason);
        }
      }
    }
    throw new DomainError('TORRENT_FAILED', `Torrent ${managed.infoHash} was removed`);
  }

  private fail(managed: AttemptedTorrent, reason: string, cause?: DomainError): never {
    managed.failure = reason;
    this.deps.releaseTorrent(managed.infoHash);
    this.deps.logger.warn({ infoHash: managed.infoHash, reason }, 'torrent failed');
    throw cause ?? new DomainError('TORRENT_FAILED', reason);
  }
}

/** `promise`, or `timedOut()` after `ms` on `clock`, or TORRENT_FAILED once `signal` aborts. */
export async function withTimeout<T>(
  clock: Clock,
  promise: Promise<T>,
  ms: number,
  timedOut: () => Error,
  signal?: AbortSignal,
): Promise<T> {
  const timer = new AbortController();
  const stop = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
  const expired = clock.sleep(ms, stop).then(
    () => {
      throw timedOut();
    },
    () => {
      throw new DomainError('TORRENT_FAILED', 'removed');
    },
  );
  try {
    return await Promise.race([promise, expired]);
  } finally {
    timer.abort();
    expired.catch(() => undefined);
  }
}
