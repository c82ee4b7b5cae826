import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from './logger.js';

/**
 * What one client may hold of the HTTP server: how long its request may take to arrive, and how many
 * connections it may keep open. Slow clients (a body one byte every few seconds, half a header line)
 * otherwise keep sockets open for ever.
 */
export interface ServerLimits {
  /**
   * ms for a whole request, head and body, to arrive. Node stops this clock when the request is in,
   * so it never cuts a long streaming response (a player reading a film for hours).
   */
  requestTimeoutMs: number;
  /** ms for the request head to arrive; capped at requestTimeoutMs (Node requires it). */
  headersTimeoutMs: number;
  /** Open connections per client address; 0 = no cap. */
  maxConnectionsPerIp: number;
  /** Open connections in all; 0 = no cap. */
  maxConnections: number;
  /**
   * Addresses never capped per address: a trusted reverse proxy (TRUST_PROXY) carries every client's
   * connections from one address, and capping it would cap everyone at once.
   */
  exempt?: (address: string) => boolean;
}

/** Players keep connections open between range requests; longer than common proxies' 60 s idle. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const WARN_EVERY_MS = 60_000;

/**
 * Options for http.createServer. Node checks request and header deadlines on a timer whose period can
 * only be given here (default 30 s, which would let a 10 s deadline run to 40 s): a tenth of the
 * shortest deadline, between 100 ms and 1 s. Checking walks only the requests still arriving: cheap.
 */
export function serverOptions(limits: ServerLimits): ServerOptions {
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 10))),
  };
}

/** `::ffff:1.2.3.4` (an IPv4 client of a dual-stack socket) is the client 1.2.3.4. */
export function clientAddress(remote: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remote);
  return mapped ? mapped[1]! : remote;
}

/**
 * Applies `limits` to a server made with serverOptions(limits) (the timeouts are set again so any
 * server gets them; only the check period needs serverOptions). A connection past the per-address cap
 * is destroyed as it arrives, before it can send a byte; a warning is logged at most once a minute per
 * address, not once per socket (a flood must not become a log flood).
 */
export function applyServerLimits(server: Server, limits: ServerLimits, logger: Logger): void {
  const options = serverOptions(limits);
  server.requestTimeout = options.requestTimeout!;
  server.headersTimeout = options.headersTimeout!;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;

  const warnedAt = new Map<string, number>(); // insertion order is time order: prune from the front
  const warnOnce = (key: string, log: () => void) => {
    const now = Date.now();
    for (const [k, at] of warnedAt) {
      if (now - at < WARN_EVERY_MS) break;
      warnedAt.delete(k);
    }
    if (warnedAt.has(key)) return;
    warnedAt.set(key, now);
    log();
  };

  if (limits.maxConnections > 0) {
    server.maxConnections = limits.maxConnections;
    // Node drops connections past maxConnections itself; say so, once a minute.
    server.on('drop', () =>
      warnOnce('*', () =>
        logger.warn({ maxConnections: limits.maxConnections }, 'connection limit reached: refusing connections'),
      ),
    );
  }

  const cap = limits.maxConnectionsPerIp;
  if (cap <= 0) return;
  const open = new Map<string, number>(); // only addresses with open sockets: never grows past them
  server.on('connection', (socket: Socket) => {
    if (socket.remoteAddress === undefined) return; // already gone
    const address = clientAddress(socket.remoteAddress);
    if (limits.exempt?.(address)) return;
    const count = open.get(address) ?? 0;
    if (count >= cap) {
      socket.destroy();
      warnOnce(address, () =>
        logger.warn({ address, maxConnectionsPerIp: cap }, 'too many connections from one address: refusing more'),
      );
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
