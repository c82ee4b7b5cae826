// @ts-expect-error parse-torrent ships no types
import parseTorrentUntyped from 'parse-torrent';
import { invalidInput } from './errors.js';

/**
 * What users hand us (magnet, bare info hash, .torrent bytes, .torrent URL), validated and reduced to
 * one shape. The only module that touches parse-torrent, so its quirks are contained here.
 */

export interface ParsedTorrentInput {
  infoHash: string;
  name?: string;
  trackers: string[];
  /** BEP 19 web seeds (a magnet's `ws=`, a .torrent's `url-list`): HTTP servers holding the files. */
  webSeeds?: string[];
  magnetUri?: string;
  torrentFile?: Uint8Array;
  files?: { path: string; length: number }[];
  /** From a .torrent: the piece size and each piece's SHA-1 (hex), to verify data on disk without peers. */
  pieceLength?: number;
  pieces?: string[];
}

/** The subset of parse-torrent's result we rely on. `info` is the raw bencoded dictionary. */
interface RawParsed {
  infoHash?: string;
  announce?: string[];
  urlList?: string[];
  info?: { name?: unknown; 'name.utf-8'?: unknown; length?: unknown; files?: unknown };
  files?: unknown[];
  pieceLength?: unknown;
  pieces?: unknown;
}
const parseTorrent = parseTorrentUntyped as (input: string | Uint8Array) => Promise<RawParsed>;

const HASH_HELP = 'a 40-character hex or 32-character base32 info hash';
const FIELDS_HELP =
  'Send one of "magnetUri" (magnet link or info hash), "infoHash" or "torrentUrl" (http(s) link to a .torrent)';

export function normalizeInfoHash(input: string): string | undefined {
  if (typeof input !== 'string') return undefined;
  const value = input.trim();
  if (/^[0-9a-f]{40}$/i.test(value)) return value.toLowerCase();
  if (/^[a-z2-7]{32}$/i.test(value)) return base32ToHex(value.toUpperCase());
  return undefined;
}

/** RFC 4648 base32 without padding: 32 chars * 5 bits = exactly the 160 bits of a SHA-1. */
function base32ToHex(value: string): string {
  let bits = '';
  for (const ch of value) bits += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(ch).toString(2).padStart(5, '0');
  return (bits.match(/.{4}/g) ?? []).map((nibble) => parseInt(nibble, 2).toString(16)).join('');
}

export async function parseMagnet(uri: string): Promise<ParsedTorrentInput> {
  const fail = (reason: string) => invalidInput(`magnetUri is not a valid magnet link: ${reason}`);
  if (typeof uri !== 'string' || !/^magnet:\?/i.test(uri.trim())) throw fail('it must start with "magnet:?"');
  // parse-torrent (and so the engine) only recognises the lowercase scheme.
  const magnetUri = `magnet:?${uri.trim().slice('magnet:?'.length)}`;

  // Mirror magnet-uri's reading (params with exactly one '='), so we never accept a value the engine ignores.
  const params = magnetUri
    .slice('magnet:?'.length)
    .split('&')
    .map((p) => p.split('='))
    .filter((kv): kv is [string, string] => kv.length === 2);
  const btih = params
    .filter(([k, v]) => k === 'xt' && v.startsWith('urn:btih:'))
    .map(([, v]) => v.slice('urn:btih:'.length));
  if (btih.length === 0) {
    const v2Only = params.some(([k, v]) => k === 'xt' && v.startsWith('urn:btmh:'));
    throw fail(
      v2Only ? 'BitTorrent v2-only magnets (urn:btmh) are not supported' : 'it has no "xt=urn:btih:<info hash>"',
    );
  }
  const hashes = new Set(btih.map((h) => normalizeInfoHash(h)));
  if (hashes.has(undefined)) throw fail(`xt=urn:btih: must be followed by ${HASH_HELP}`);
  if (hashes.size > 1) throw fail('it names more than one info hash');
  const infoHash = [...hashes][0]!;

  // The engine will parse this exact string with parse-torrent: whatever it rejects, we reject now.
  let parsed: RawParsed;
  try {
    parsed = await parseTorrent(magnetUri);
  } catch (err) {
    throw fail(err instanceof URIError ? 'it contains malformed percent-encoding' : errorText(err));
  }
  if (parsed.infoHash !== infoHash) throw fail('its info hash could not be read');

  // dn is decoded here rather than taken from parse-torrent, which turns an encoded "%2B" into a space.
  const dn = params.find(([k]) => k === 'dn');
  const name = dn ? safeDecode(dn[1].replace(/\+/g, ' '))?.trim() : undefined;
  const trackers = unique(params.filter(([k]) => k === 'tr').map(([, v]) => safeDecode(v)?.trim() ?? ''));
  const webSeeds = httpUrls(params.filter(([k]) => k === 'ws').map(([, v]) => safeDecode(v)?.trim() ?? ''));
  return { infoHash, ...(name ? { name } : {}), trackers, ...(webSeeds.length ? { webSeeds } : {}), magnetUri };
}

export async function parseTorrentFile(data: Uint8Array): Promise<ParsedTorrentInput> {
  const fail = (reason: string) => invalidInput(`The .torrent file could not be parsed: ${reason}`);
  if (!(data instanceof Uint8Array) || data.length === 0) throw fail('it is empty');
  // parse-torrent reads any 20-byte buffer as a raw info hash; a real .torrent is a bencoded dictionary.
  if (data[0] !== 0x64 /* 'd' */) throw fail('it is not a bencoded dictionary');
  let parsed: RawParsed;
  try {
    parsed = await parseTorrent(data);
  } catch (err) {
    // TypeErrors come from parse-torrent tripping over odd structures; their text means nothing to users.
    throw fail(err instanceof TypeError ? 'it is malformed' : errorText(err));
  }
  const info = parsed.info;
  if (!info || typeof parsed.infoHash !== 'string' || !Array.isArray(parsed.files))
    throw fail('it has no info dictionary');

  const name = checkedSegments([info['name.utf-8'], info.name])[0]!;
  const files: { path: string; length: number }[] = [];
  if (info.files === undefined) {
    files.push({ path: name, length: checkedLength(info.length) });
  } else {
    if (!Array.isArray(info.files) || info.files.length === 0) throw invalidInput('The .torrent file lists no files');
    for (const file of info.files as Array<Record<string, unknown>>) {
      const segments = checkedSegments([file['path.utf-8'], file.path]);
      files.push({ path: [name, ...segments].join('/'), length: checkedLength(file.length) });
    }
  }
  const rawPieces = Array.isArray(parsed.pieces) ? (parsed.pieces as unknown[]) : undefined;
  // parse-torrent turns a "pieces" that is not a byte string into junk ("undefined"): refuse it.
  if (rawPieces && !rawPieces.every((p) => typeof p === 'string' && /^[0-9a-f]{40}$/.test(p))) {
    throw fail('its pieces are malformed');
  }
  const pieces = rawPieces as string[] | undefined;
  const pieceLength = typeof parsed.pieceLength === 'number' && parsed.pieceLength > 0 ? parsed.pieceLength : undefined;
  const webSeeds = httpUrls(parsed.urlList ?? []);
  return {
    infoHash: parsed.infoHash,
    name,
    trackers: unique(parsed.announce ?? []),
    ...(webSeeds.length ? { webSeeds } : {}),
    torrentFile: data,
    files,
    ...(pieces && pieceLength ? { pieces, pieceLength } : {}),
  };
}

/**
 * parse-torrent path.join()s the raw segments, which silently resolves "a/../../etc" to "etc": the
 * traversal disappears instead of being reported. So we check the raw segments of both the plain and
 * the ".utf-8" variant (clients differ in which they prefer). A segment is one path component: an
 * embedded separator is an attack or a broken creator either way.
 */
function checkedSegments(variants: unknown[]): string[] {
  let result: string[] | undefined;
  for (const variant of variants) {
    if (variant === undefined) continue;
    const raw = Array.isArray(variant) ? variant : [variant];
    const segments = raw.map(bytesToText);
    const shown = segments.map((s) => s ?? '?').join('/');
    if (segments.length === 0) throw invalidInput('The .torrent file contains a file with an empty path');
    if (segments.some((s) => s === undefined || unsafeSegment(s))) {
      throw invalidInput(`The .torrent file contains an unsafe file path: "${shown}"`, { path: shown });
    }
    result ??= segments as string[];
  }
  if (!result) throw invalidInput('The .torrent file contains a file without a path');
  return result;
}

/**
 * A segment that is, or that the disk store turns into, "", "." or "..": the store strips the
 * characters Windows forbids and control characters from names, so ".:." would land on the folder itself.
 */
function unsafeSegment(segment: string): boolean {
  if (/[/\\\0]/.test(segment)) return true;
  const stored = segment.replace(/[<>:"|?*\u0000-\u001f]/g, '');
  return stored === '' || stored === '.' || stored === '..';
}

function checkedLength(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw invalidInput('The .torrent file contains an invalid file length');
  return value;
}

/** The engine only takes http(s) web seeds; anything else would be dropped with a warning later. */
function httpUrls(values: readonly string[]): string[] {
  return unique(values.filter((v) => /^https?:\/\/.+/i.test(v)));
}

export function buildMagnet(infoHash: string, opts: { name?: string; trackers?: readonly string[] }): string {
  const hash = normalizeInfoHash(infoHash);
  if (!hash) throw invalidInput(`infoHash must be ${HASH_HELP}`);
  let uri = `magnet:?xt=urn:btih:${hash}`;
  if (opts.name) uri += `&dn=${encodeURIComponent(opts.name)}`;
  for (const tracker of unique(opts.trackers ?? [])) uri += `&tr=${encodeURIComponent(tracker)}`;
  return uri;
}

/**
 * Null and blank strings count as absent (HTML forms send empty fields). A bare hash is accepted in
 * magnetUri too because users paste whatever they have into the first box.
 */
export async function parseTorrentInput(body: {
  magnetUri?: unknown;
  infoHash?: unknown;
  torrentUrl?: unknown;
}): Promise<ParsedTorrentInput | { torrentUrl: string }> {
  const magnet = field(body, 'magnetUri');
  const hashField = field(body, 'infoHash');
  const url = field(body, 'torrentUrl');

  if (url !== undefined) {
    if (magnet !== undefined || hashField !== undefined)
      throw invalidInput('Send either "torrentUrl" or "magnetUri"/"infoHash", not both');
    return { torrentUrl: checkedTorrentUrl(url) };
  }
  const fromMagnet = magnet === undefined ? undefined : (bareHash(magnet) ?? (await parseMagnet(magnet)));
  if (hashField === undefined) {
    if (fromMagnet) return fromMagnet;
    throw invalidInput(FIELDS_HELP);
  }
  const hash = normalizeInfoHash(hashField);
  if (!hash) throw invalidInput(`infoHash must be ${HASH_HELP} (put magnet links in "magnetUri")`);
  if (fromMagnet && fromMagnet.infoHash !== hash) {
    throw invalidInput(`infoHash ${hash} does not match the magnet link's info hash ${fromMagnet.infoHash}`);
  }
  return fromMagnet ?? { infoHash: hash, trackers: [] };
}

function field(
  body: Record<string, unknown> | null | undefined,
  name: 'magnetUri' | 'infoHash' | 'torrentUrl',
): string | undefined {
  const value = body?.[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidInput(`"${name}" must be a string. ${FIELDS_HELP}`);
  return value.trim() === '' ? undefined : value.trim();
}

function bareHash(value: string): ParsedTorrentInput | undefined {
  const infoHash = normalizeInfoHash(value);
  return infoHash ? { infoHash, trackers: [] } : undefined;
}

/** Only the scheme is checked here; where the URL may point (SSRF) is the fetcher's policy. */
function checkedTorrentUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidInput('torrentUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidInput('torrentUrl must be an http(s) URL');
  return url.href;
}

function bytesToText(value: unknown): string | undefined {
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return typeof value === 'string' ? value : undefined;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
