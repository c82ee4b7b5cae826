import { DomainError } from '../domain/errors.js';
import { upstreamLabel } from '../domain/addon-config.js';
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
  constructor(private readonly timeoutMs = UPSTREAM_TIMEOUT_MS) {}

  async streams(manifestUrl: string, type: string, id: string): Promise<Record<string, unknown>[]> {
    const url = manifestUrl.replace(/manifest\.json$/, `stream/${encodeURIComponent(type)}/${encodeURIComponent(id)}.json`);
    const host = upstreamLabel(manifestUrl);
    let text: string;
    // A timer we own rather than AbortSignal.timeout(): Node keeps that signal's timer only as long as the
    // signal is reachable, and a test run here once waited the upstream's full 8 s instead of 5.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException(`no answer within ${this.timeoutMs} ms`, 'TimeoutError')), this.timeoutMs);
    try {
      const res = await fetch(url, { signal: abort.signal, headers: { accept: 'application/json' } });
      if (!res.ok) {
        await res.body?.cancel();
        throw new DomainError('UPSTREAM_ERROR', `${host} answered HTTP ${res.status}`);
      }
      if (Number(res.headers.get('content-length') ?? 0) > MAX_BYTES) throw new DomainError('UPSTREAM_ERROR', `${host} sent more than 5 MiB`);
      text = await res.text();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      const reason = abort.signal.aborted ? `no answer within ${this.timeoutMs} ms` : (err as Error).message;
      throw new DomainError('UPSTREAM_ERROR', `${host}: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
    if (text.length > MAX_BYTES) throw new DomainError('UPSTREAM_ERROR', `${host} sent more than 5 MiB`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new DomainError('UPSTREAM_ERROR', `${host} did not answer JSON`);
    }
    const streams = (body as { streams?: unknown } | null)?.streams;
    return Array.isArray(streams) ? streams.filter((s): s is Record<string, unknown> => !!s && typeof s === 'object' && !Array.isArray(s)) : [];
  }
}
