/**
 * What the instances on one Redis tell each other: who reads which file right now, and which nodes are
 * alive. Every entry is a key with a TTL that its owner's heartbeat renews (every third of the TTL), so
 * whatever a crashed node held vanishes by itself once the TTL has passed.
 */
export interface SharedLeases {
  /** This node reads the file: a lease every node sees until the returned function is called. */
  take(infoHash: string, fileIndex: number): () => void;
  /** Of these files ('<infoHash>:<fileIndex>'), the ones some node of the cluster is reading. */
  readers(keys: readonly string[]): Promise<Set<string>>;
  /** The URL a node's fresh heartbeat announces; undefined for a node that crashed or stopped. */
  liveUrl(node: string): Promise<string | undefined>;
  close(): Promise<void>;
}
