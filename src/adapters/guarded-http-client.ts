import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { DomainError } from '../domain/errors.js';
import type { OutboundHttp, OutboundRequest, OutboundResponse } from '../ports/outbound-http.js';

const MAX_REDIRECTS = 5;

/**
 * Addresses a URL named by a user must not reach: loopback, private, link-local (cloud metadata at
 * 169.254.169.254 and fd00:ec2::254 included), carrier-grade NAT, multicast and reserved ranges.
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1, which URL writes ::ffff:7f00:1) is the IPv4 address.
  const mapped = family === 6 ? mappedIpv4(address) : undefined;
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function mappedIpv4(address: string): string | undefined {
  const dotted = /^(?:0{0,4}:){0,4}:?:ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (dotted) return dotted;
  const hex = /^(?:0{0,4}:){0,4}:?:ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const high = Number.parseInt(hex[1]!, 16);
  const low = Number.parseInt(hex[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export interface OutboundPolicy {
  /** FETCH_ALLOW_PRIVATE: private addresses may be reached (a LAN-only deployment). */
  allowPrivate: boolean;
  /** host:port pairs that pass whatever they resolve to (FETCH_ALLOW, the configured KODI_URL). */
  allow: readonly string[];
}

const hostPort = (url: URL) =>
  `${url.hostname.replace(/^\[|\]$/g, '').toLowerCase()}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;

/**
 * OutboundHttp over node:http(s). The address check happens where the connection is made (a custom
 * DNS lookup), so a name that resolves to 127.0.0.1 is refused as surely as the literal, and
 * redirects are followed by hand (at most 5), each one checked again. Authorization and cookies are
 * dropped when a redirect leaves the origin.
 */
export class GuardedHttpClient implements OutboundHttp {
  private readonly allow: Set<string>;

  constructor(private readonly policy: OutboundPolicy) {
    this.allow = new Set(policy.allow.map((entry) => entry.toLowerCase().replace(/^\[|\]$/g, '')));
  }

  async request(rawUrl: string, options: OutboundRequest): Promise<OutboundResponse> {
    // A timer we own rather than AbortSignal.timeout(): Node keeps that signal's timer only while the
    // signal is reachable, and a test here once waited an upstream's full 8 s instead of 5.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), options.timeoutMs);
    try {
      return await this.follow(rawUrl, options, abort.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async follow(rawUrl: string, options: OutboundRequest, deadline: AbortSignal): Promise<OutboundResponse> {
    let url = this.parse(rawUrl);
    let { method = 'GET', body } = options;
    let headers = { ...options.headers };
    for (let hop = 0; ; hop++) {
      const response = await this.once(
        url,
        { method, headers, body, maxBytes: options.maxBytes },
        deadline,
        options.timeoutMs,
      );
      const location = response.headers.location;
      if (
        options.followRedirects === false ||
        response.status < 300 ||
        response.status >= 400 ||
        response.status === 304 ||
        !location
      )
        return response;
      if (hop === MAX_REDIRECTS)
        throw new DomainError('UPSTREAM_ERROR', `${url.host} redirected more than ${MAX_REDIRECTS} times`);
      const next = this.parse(new URL(location, url).href);
      if (next.origin !== url.origin) headers = withoutCredentials(headers);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  private parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new DomainError('INVALID_INPUT', `Not an absolute URL: ${raw}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new DomainError('INVALID_INPUT', `Only http(s) URLs can be fetched, got ${url.protocol}`);
    if (url.username || url.password) throw new DomainError('INVALID_INPUT', 'URLs with credentials are not fetched');
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) && !this.permits(url, literal)) throw refused(url, literal);
    return url;
  }

  private permits(url: URL, address: string): boolean {
    return this.policy.allowPrivate || this.allow.has(hostPort(url)) || !isPrivateAddress(address);
  }

  private once(
    url: URL,
    req: { method: string; headers: Record<string, string>; body: string | undefined; maxBytes: number },
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<OutboundResponse> {
    const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
      dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, '', 0);
        const blocked = addresses.find((a) => !this.permits(url, a.address));
        if (blocked) return callback(refused(url, blocked.address), '', 0);
        if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<OutboundResponse>((resolve, reject) => {
      const fail = (err: unknown) => reject(asDomainError(err, url, signal, timeoutMs));
      const request = transport.request(
        url,
        { method: req.method, headers: req.headers, lookup, signal, agent: false },
        (res: IncomingMessage) => {
          const declared = Number(res.headers['content-length'] ?? 0);
          if (declared > req.maxBytes) {
            res.destroy();
            return reject(tooLarge(url, req.maxBytes));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > req.maxBytes) {
              res.destroy();
              reject(tooLarge(url, req.maxBytes));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', fail);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: flatHeaders(res),
              body: Buffer.concat(chunks),
              url: url.href,
            }),
          );
        },
      );
      request.on('error', fail);
      request.end(req.body);
    });
  }
}

function refused(url: URL, address: string): DomainError {
  return new DomainError(
    'URL_NOT_ALLOWED',
    `${url.host} resolves to ${address}, a private or loopback address; ` +
      'set FETCH_ALLOW=host:port (or FETCH_ALLOW_PRIVATE=true) to let the server reach it',
  );
}

function asDomainError(err: unknown, url: URL, signal: AbortSignal, timeoutMs: number): DomainError {
  if (err instanceof DomainError) return err;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof DomainError) return cause;
  if (signal.aborted)
    return new DomainError('UPSTREAM_ERROR', `${url.host}: no answer within ${timeoutMs} ms`, { timeout: true });
  const code = (err as { code?: unknown }).code;
  return new DomainError(
    'UPSTREAM_ERROR',
    `${url.host}: ${(err as Error).message}`,
    typeof code === 'string' ? { code } : {},
  );
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([k]) => !['authorization', 'cookie', 'proxy-authorization'].includes(k.toLowerCase()),
    ),
  );
}

function flatHeaders(res: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(res.headers)) out[key] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

const tooLarge = (url: URL, maxBytes: number) =>
  new DomainError('UPSTREAM_ERROR', `${url.host} sent more than ${Math.round(maxBytes / 1024 / 1024)} MiB`, {
    tooLarge: true,
  });
