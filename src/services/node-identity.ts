/**
 * This instance among the ones sharing one cache index: its NODE_ID and the base URL the others reach
 * it at. `clustered` is true only with the Redis backend; with memory or SQLite every entry is this
 * node's whatever name it was recorded under (a container's hostname changes on every re-create).
 */
export class NodeIdentity {
  private baseUrl: string | undefined;

  constructor(
    readonly id: string,
    configuredUrl: string | undefined,
    readonly clustered: boolean,
  ) {
    this.baseUrl = configuredUrl;
  }

  /** NODE_URL, or http://127.0.0.1:<port> once the server listens. */
  get url(): string {
    return this.baseUrl ?? '';
  }

  /** Called once the server listens, for the default NODE_URL (the port may have been 0). */
  listening(localUrl: string): void {
    this.baseUrl ??= localUrl;
  }

  /** Whose entry is this: 'mine', another live-or-dead node's ('other'), or recorded before nodes ('unknown'). */
  holderOf(entry: { node?: string }): 'mine' | 'other' | 'unknown' {
    if (!this.clustered || entry.node === this.id) return 'mine';
    return entry.node === undefined ? 'unknown' : 'other';
  }

  /** The node to scope totals and LRU walks to: this one in a cluster, everything otherwise. */
  get scope(): string | undefined {
    return this.clustered ? this.id : undefined;
  }
}
