import http from 'node:http';
import https from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import { DomainError } from '../domain/errors.js';
import type { ByteRange } from '../domain/range.js';
import { CLUSTER_HOP_HEADER } from '../domain/cluster-hop.js';
import type { PeerFileReader } from '../ports/peer-files.js';

export interface PeerHttpReaderOptions {
  /** NODE_ID of this instance, sent in the hop header (the holder's logs say who asked). */
  node: string;
  /** API_TOKEN: every instance of a cluster shares it, so the internal hop authenticates as the admin. */
  apiToken: string | undefined;
  /** No byte from the holder for this long: the read fails (a player then retries or seeks). */
  idleTimeoutMs?: number;
}

/**
 * Reads ranges of another instance's file over plain node:http, not the SSRF-guarded outbound client:
 * NODE_URL is configured by the operator (or recorded by an instance of the same cluster), not by a user.
 * Asks `GET <nodeUrl>/stream/proxy/<infoHash>?fileIndex=N` with `Range: bytes=start-end` and passes on
 * exactly those bytes; anything else (a refused connection, another status, a short body) is an error.
 */
export class PeerHttpReader implements PeerFileReader {
  constructor(private readonly options: PeerHttpReaderOptions) {}

  open(nodeUrl: string, infoHash: string, fileIndex: number, range: ByteRange): Readable {
    const out = new PassThrough();
    const expected = range.end - range.start + 1;
    const url = new URL(`${nodeUrl.replace(/\/+$/, '')}/stream/proxy/${infoHash}?fileIndex=${fileIndex}`);
    const fail = (why: string) =>
      out.destroy(new DomainError('UPSTREAM_ERROR', `The node holding this file (${url.origin}) ${why}`));
    const headers: Record<string, string> = {
      range: `bytes=${range.start}-${range.end}`,
      [CLUSTER_HOP_HEADER]: this.options.node,
    };
    if (this.options.apiToken) headers.authorization = `Bearer ${this.options.apiToken}`;
    const request = (url.protocol === 'https:' ? https : http).request(url, { headers });
    request.setTimeout(this.options.idleTimeoutMs ?? 60_000, () => request.destroy(new Error('timed out')));
    request.on('response', (res) => {
      const whole = res.statusCode === 200 && range.start === 0;
      const startsRight =
        res.statusCode === 206 &&
        new RegExp(`^bytes ${range.start}-${range.end}/`).test(res.headers['content-range'] ?? '');
      if ((!whole && !startsRight) || Number(res.headers['content-length']) !== expected) {
        res.resume();
        fail(`answered ${res.statusCode} instead of bytes ${range.start}-${range.end}`);
        return;
      }
      // Not stream.pipeline: it would end `out` with the raw socket error; a reader must see UPSTREAM_ERROR.
      let received = 0;
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.on('error', (err) => fail(`stopped sending: ${err.message}`));
      res.on('close', () => {
        if (received < expected && !out.destroyed) fail(`stopped sending after ${received} of ${expected} bytes`);
      });
      res.pipe(out);
    });
    request.on('error', (err) => {
      if (!out.destroyed) fail(`cannot be reached: ${err.message}`);
    });
    // The reader went away (a seek, a closed player): stop the hop too.
    out.on('close', () => request.destroy());
    request.end();
    return out;
  }
}
