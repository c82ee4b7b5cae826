import type { Readable } from 'node:stream';
import type { ByteRange } from '../domain/range.js';

/** Reads a byte range of a file another instance of the cluster holds, from that instance. */
export interface PeerFileReader {
  /**
   * The bytes `range` of the file, fetched from `nodeUrl`. The stream errors with a DomainError
   * UPSTREAM_ERROR when the node cannot be reached or does not answer with exactly those bytes.
   */
  open(nodeUrl: string, infoHash: string, fileIndex: number, range: ByteRange): Readable;
}
