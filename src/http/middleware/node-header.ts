import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { CLUSTER_HOP_HEADER } from '../../domain/cluster-hop.js';

/**
 * `X-Node: <NODE_ID>` on every response, errors and 404s included (set before anything can answer):
 * which instance behind the load balancer answered is then visible to clients, logs and tests.
 */
export function nodeHeader(nodeId: string): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Node', nodeId);
    next();
  };
}

/** The request is another instance fetching a file this one holds: answer it from here. */
export const fromClusterNode = (req: IncomingMessage): boolean => req.headers[CLUSTER_HOP_HEADER] !== undefined;
