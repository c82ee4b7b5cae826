import { DomainError } from '../domain/errors.js';
import type { MediaPlayer, MediaPlayerInfo, MediaPlayerTarget } from '../ports/media-player.js';
import type { OutboundHttp } from '../ports/outbound-http.js';

const DEFAULT_TIMEOUT_MS = 5000;
/** JSON-RPC answers to our calls are a few hundred bytes. */
const MAX_REPLY_BYTES = 1024 * 1024;

interface JsonRpcReply {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: { stack?: { message?: unknown } } };
}

/**
 * Kodi's JSON-RPC 2.0 API over HTTP (POST <kodi>/jsonrpc). Needs "Allow remote control via HTTP" in
 * Kodi's settings. Messages name the Kodi by its credential-free URL, so a password cannot leak
 * through an error answer or a log line.
 */
export class KodiJsonRpcClient implements MediaPlayer {
  private nextId = 1;
  private readonly endpoint: string;
  private readonly authorization: string | undefined;

  constructor(
    private readonly target: MediaPlayerTarget,
    private readonly http: OutboundHttp,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    // Accept both "http://host:8080" and "http://host:8080/jsonrpc": users copy either.
    const base = target.url.replace(/\/+$/, '');
    this.endpoint = /\/jsonrpc$/i.test(base) ? base : `${base}/jsonrpc`;
    this.authorization =
      target.username === undefined
        ? undefined
        : `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`, 'utf8').toString('base64')}`;
  }

  async open(url: string): Promise<void> {
    await this.call('Player.Open', { item: { file: url } });
  }

  async queue(url: string): Promise<void> {
    // Playlist 1 is Kodi's video playlist (0 is music, 2 pictures).
    await this.call('Playlist.Add', { playlistid: 1, item: { file: url } });
  }

  async ping(): Promise<void> {
    const result = await this.call('JSONRPC.Ping');
    if (result !== 'pong') throw this.fail(`answered JSONRPC.Ping with ${JSON.stringify(result)} instead of "pong"`);
  }

  async info(): Promise<MediaPlayerInfo> {
    const result = (await this.call('Application.GetProperties', { properties: ['name', 'version'] })) as {
      name?: unknown;
      version?: unknown;
    } | null;
    const name = typeof result?.name === 'string' ? result.name : 'Kodi';
    const version =
      result?.version && typeof result.version === 'object' ? (result.version as Record<string, unknown>) : {};
    return { name, version };
  }

  async notify(title: string, message: string): Promise<void> {
    await this.call('GUI.ShowNotification', { title, message });
  }

  private async call(method: string, params?: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    const body = JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}), id });
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (this.authorization) headers.Authorization = this.authorization;

    let text: string;
    let status: number;
    try {
      // The signal covers the body too, so a Kodi that stalls mid-answer also times out. Redirects are
      // not followed: the Authorization header must not travel to wherever a redirect points.
      const response = await this.http.request(this.endpoint, {
        method: 'POST',
        headers,
        body,
        timeoutMs: this.timeoutMs,
        maxBytes: MAX_REPLY_BYTES,
        followRedirects: false,
      });
      status = response.status;
      text = response.body.toString('utf8');
    } catch (err) {
      throw this.networkError(err);
    }
    if (status === 401) {
      throw this.fail(
        this.authorization
          ? 'rejected the credentials (401)'
          : 'requires a username and password (401): set KODI_USERNAME and KODI_PASSWORD or send kodi.username and kodi.password',
      );
    }
    if (status < 200 || status > 299) throw this.fail(`answered ${method} with HTTP ${status}`);

    let reply: JsonRpcReply;
    try {
      reply = JSON.parse(text) as JsonRpcReply;
    } catch {
      throw this.fail(`answered ${method} with something that is not JSON (is this Kodi's web server?)`);
    }
    if (reply?.error) throw this.fail(`refused ${method}: ${rpcErrorText(reply.error)}`);
    if (!reply || typeof reply !== 'object' || !('result' in reply))
      throw this.fail(`answered ${method} without a JSON-RPC result`);
    return reply.result;
  }

  private networkError(err: unknown): DomainError {
    if (!(err instanceof DomainError) || err.code !== 'UPSTREAM_ERROR')
      return err instanceof DomainError ? err : this.fail(String(err));
    if (err.details?.timeout) return this.fail(`did not answer within ${this.timeoutMs / 1000} s`);
    if (err.details?.tooLarge) return this.fail('sent an answer larger than 1 MiB');
    const reason = typeof err.details?.code === 'string' ? err.details.code : err.message;
    return this.fail(`is unreachable (${reason}); is Kodi running with "Allow remote control via HTTP" enabled?`);
  }

  private fail(what: string): DomainError {
    return new DomainError('UPSTREAM_ERROR', `Kodi at ${this.target.url} ${what}`);
  }
}

/** Kodi puts the specific reason ("Received value does not match...") below the generic message. */
function rpcErrorText(error: NonNullable<JsonRpcReply['error']>): string {
  const message = typeof error.message === 'string' ? error.message : 'unknown error';
  const detail = typeof error.data?.stack?.message === 'string' ? ` ${error.data.stack.message}` : '';
  const code = typeof error.code === 'number' ? ` (code ${error.code})` : '';
  return `${message}${detail}${code}`;
}
