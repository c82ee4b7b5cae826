import { Router, type Response } from 'express';
import type { Logger } from '../../logger.js';

export interface EventsOptions {
  /** How often the snapshot is taken while someone listens. */
  intervalMs?: number;
  /** A comment line after this long without an event, so proxies do not close a quiet stream. */
  keepAliveMs?: number;
}

/**
 * `GET /api/events`: a server-sent-events stream of `event: torrents` whose data is whatever
 * `snapshot()` returns (the `data` of GET /api/torrents). The snapshot is only taken while at least
 * one client is connected, and only sent when it differs from the last one sent, so an idle server
 * with no dashboard open does no work at all.
 */
export function eventsRoutes(snapshot: () => Promise<unknown>, logger: Logger, options: EventsOptions = {}): Router {
  const router = Router();
  const hub = new ChangeBroadcaster(snapshot, logger, options.intervalMs ?? 1000, options.keepAliveMs ?? 15000);

  router.get('/api/events', (req, res) => {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform: a compressing proxy would buffer the stream and the page would see nothing.
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    req.socket.setNoDelay(true);
    // Reconnect quickly after a server restart; EventSource's default (~3 s in Chromium) is fine too.
    res.write('retry: 2000\n\n');
    hub.join(res);
    res.once('close', () => hub.leave(res));
  });

  return router;
}

/** One timer for all listeners: N open dashboards cost one snapshot per tick, not N. */
class ChangeBroadcaster {
  private readonly clients = new Set<Response>();
  private timer: NodeJS.Timeout | undefined;
  private lastSent: string | undefined;
  private quietSince = 0;
  private busy = false;
  private failing = false;

  constructor(
    private readonly snapshot: () => Promise<unknown>,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly keepAliveMs: number,
  ) {}

  join(res: Response): void {
    this.clients.add(res);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      // Never the reason the process stays up; the HTTP server owns the lifetime.
      this.timer.unref();
      void this.tick();
    } else if (this.lastSent !== undefined) {
      // A newcomer gets the current state at once instead of waiting for the next change.
      write(res, frame(this.lastSent));
    }
  }

  leave(res: Response): void {
    this.clients.delete(res);
    if (this.clients.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
    // The next first listener must get a full snapshot, not a diff against stale state.
    this.lastSent = undefined;
  }

  private async tick(): Promise<void> {
    // A slow snapshot (Redis index under load) must not pile up overlapping ones.
    if (this.busy) return;
    this.busy = true;
    try {
      const json = JSON.stringify(await this.snapshot());
      if (this.clients.size === 0) return;
      const now = Date.now();
      if (json !== this.lastSent) {
        this.lastSent = json;
        this.quietSince = now;
        this.broadcast(frame(json));
      } else if (now - this.quietSince >= this.keepAliveMs) {
        this.quietSince = now;
        this.broadcast(': keep-alive\n\n');
      }
      this.failing = false;
    } catch (err) {
      // Listeners keep their last state; the next tick tries again. One line per failing streak, not per second.
      if (!this.failing) this.logger.warn({ err: (err as Error).message }, 'event snapshot failed');
      this.failing = true;
    } finally {
      this.busy = false;
    }
  }

  private broadcast(text: string): void {
    for (const res of this.clients) write(res, text);
  }
}

const frame = (json: string) => `event: torrents\ndata: ${json}\n\n`;

function write(res: Response, text: string): void {
  if (!res.writableEnded && !res.destroyed) res.write(text);
}
