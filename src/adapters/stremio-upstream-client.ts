import { DomainError } from '../domain/errors.js';
import { upstreamLabel } from '../domain/addon-config.js';
import type { OutboundHttp } from '../ports/outbound-http.js';
import type { UpstreamAddons } from '../ports/stremio-upstream.js';

/** Torrent addons answer with a few hundred streams at most; anything far bigger is not a stream list. */
const MAX_BYTES = 5 * 1024 * 1024;
export const UPSTREAM_TIMEOUT_MS = 5000;

/**
 * Asks another Stremio addon for streams, the way a Stremio client would: its manifest URL with
 * `manifest.json` replaced by `stream/<type>/<id>.json`. Bounded in time (the whole exchange, body
 * included) and size; errors name the host only, since upstream URLs may embed the user's tokens.
 */
export class StremioUpstreamClient implements UpstreamAddons {
  constructor(
    private readonly http: OutboundHttp,
    private readonly timeoutMs = UPSTREAM_TIMEOUT_MS,
  ) {}

  async streams(manifestUrl: string, type: string, id: string): Promise<Record<string, unknown>[]> {
    const url = manifestUrl.replace(
      /manifest\.json$/,
      `stream/${encodeURIComponent(type)}/${encodeURIComponent(id)}.json`,
    );
    const host = upstreamLabel(manifestUrl);
    let text: string;
    try {
      const res = await this.http.request(url, {
        headers: { accept: 'application/json' },
        timeoutMs: this.timeoutMs,
        maxBytes: MAX_BYTES,
      });
      if (res.status < 200 || res.status > 299)
        throw new DomainError('UPSTREAM_ERROR', `${host} answered HTTP ${res.status}`);
      text = res.body.toString('utf8');
    } catch (err) {
      if (!(err instanceof DomainError) || err.message.startsWith(host)) throw err;
      if (err.details?.tooLarge) throw new DomainError('UPSTREAM_ERROR', `${host} sent more than 5 MiB`);
      if (err.details?.timeout)
        throw new DomainError('UPSTREAM_ERROR', `${host}: no answer within ${this.timeoutMs} ms`);
      throw new DomainError(err.code, `${host}: ${err.message}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new DomainError('UPSTREAM_ERROR', `${host} did not answer JSON`);
    }
    const streams = (body as { streams?: unknown } | null)?.streams;
    return Array.isArray(streams)
      ? streams.filter((s): s is Record<string, unknown> => !!s && typeof s === 'object' && !Array.isArray(s))
      : [];
  }
}
