import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../../ports/metrics.js';
import type { Principal } from '../../services/auth.service.js';
import type { StreamService } from '../../services/stream.service.js';
import type { UsersService } from '../../services/users.service.js';
import { fromClusterNode } from '../middleware/node-header.js';
import { respondWithRange } from '../shared/respond-range.js';
import { timeStream } from './stream-metrics.js';

export interface StreamServing {
  streams: StreamService;
  users: Pick<UsersService, 'openStream'>;
  metrics?: Metrics | undefined;
}

/**
 * One stream read, from whatever holds the file (cache, torrent or another node), on plain node:http:
 * the Express stream routes and the stream lane (stream-lane.ts) both answer through it.
 */
export async function serveStream(
  { streams, users, metrics }: StreamServing,
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
  file: { infoHash: string; fileIndex: number | undefined; download: boolean },
  /** Headers for the response, as a flat [name, value, ...] list (the stream lane's; see respond-range.ts). */
  headers?: readonly string[],
): Promise<void> {
  // A user's streams open at once are capped (429); players' many range requests are not rate-limited.
  const slot = users.openStream(principal);
  const timed = timeStream(req, res, metrics);
  try {
    const target = await streams.resolve(file.infoHash, file.fileIndex, { localOnly: fromClusterNode(req) });
    try {
      await respondWithRange(req, res, target, { download: file.download, headers });
    } finally {
      target.release();
    }
    timed();
  } catch (err) {
    timed(err);
    throw err;
  } finally {
    slot();
  }
}
