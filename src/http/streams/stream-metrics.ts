import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from '../../domain/errors.js';
import type { Metrics } from '../../ports/metrics.js';

type StreamMetrics = Pick<
  Metrics,
  'observeTimeToFirstByte' | 'observeSeek' | 'streamOpened' | 'streamClosed' | 'stall'
>;

/** A Range header that starts past byte 0: a player seeking (or resuming). */
const SEEK = /^\s*bytes\s*=\s*(\d+)\s*-/i;

/**
 * Times one stream response: time to first byte (and seek latency for ranged reads past byte 0) is
 * taken when the head goes out, which respond-range does only once the body's first byte exists.
 * Returns what the route calls when the response is over, with the error it failed with, if any.
 */
export function timeStream(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: StreamMetrics | undefined,
): (err?: unknown) => void {
  if (!metrics) return () => {};
  const started = performance.now();
  const start = SEEK.exec(req.headers.range ?? '');
  const seeking = start !== null && Number(start[1]) > 0;
  metrics.streamOpened();
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    res.writeHead = writeHead;
    const status = typeof args[0] === 'number' ? args[0] : res.statusCode; // writeHead(206, head) or implicit
    if (req.method === 'GET' && (status === 200 || status === 206)) {
      const ms = performance.now() - started;
      metrics.observeTimeToFirstByte(ms);
      if (seeking) metrics.observeSeek(ms);
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  let done = false;
  return (err) => {
    if (done) return;
    done = true;
    metrics.streamClosed();
    if (err instanceof DomainError && err.code === 'STREAM_STALLED') metrics.stall();
  };
}
