export const leaseKey = (infoHash: string, fileIndex: number): string => `${infoHash}:${fileIndex}`;

/** Counts readers per file; the cleaner never evicts a file with readers. */
export class Leases {
  private readonly counts = new Map<string, number>();

  take(infoHash: string, fileIndex: number): () => void {
    const key = leaseKey(infoHash, fileIndex);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left <= 0) this.counts.delete(key);
      else this.counts.set(key, left);
    };
  }

  has(infoHash: string, fileIndex?: number): boolean {
    if (fileIndex !== undefined) return this.counts.has(leaseKey(infoHash, fileIndex));
    for (const key of this.counts.keys()) if (key.startsWith(`${infoHash}:`)) return true;
    return false;
  }
}
