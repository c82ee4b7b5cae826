/**
 * Marks a request as one instance asking another: the holder answers it from its own disk (or its own
 * torrent), never proxies it on, so two instances can never bounce a request between them.
 */
export const CLUSTER_HOP_HEADER = 'x-cluster-hop';
