/**
 * Content-Disposition per RFC 6266 with RFC 8187 extended parameters. Every current browser prefers
 * filename* when present; the quoted ASCII filename is only the fallback for old clients and tools
 * (curl -J, wget), so it may be lossy but must never be dangerous.
 *
 * Not the content-disposition package (Express's own): its basename() splits on '\\' (so 'a\\b.mkv'
 * becomes 'b.mkv'), it adds filename* for a '%' only when followed by two hex digits and never for '"'
 * or '\\', it percent-encodes attr-chars (# $ & + ^ ` |) and it throws URIError on a lone surrogate;
 * test/unit/content-disposition.test.ts pins all of these.
 */

// Control characters could split the header or smuggle bytes into a saved name, and '/' would let a
// torrent-controlled name pick a directory on old clients. The backslash is kept (escaped) because it
// is a legal character on POSIX file systems; Windows clients sanitise it themselves.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f/]/g;

/** Printable ASCII that needs no escaping in a quoted-string and no percent-decoding. */
const PLAIN = /^[\u0020-\u007e]*$/;
const NEEDS_ESCAPE = /["\\%]/;

/** Answers by type and name, remembered: a player's every range of a file asks the same (bounded memory). */
const MEMO_LIMIT = 1000;
const memo = { attachment: new Map<string, string>(), inline: new Map<string, string>() };

export function contentDisposition(type: 'attachment' | 'inline', fileName: string): string {
  const known = memo[type].get(fileName);
  if (known !== undefined) return known;
  const value = dispositionOf(type, fileName);
  if (memo[type].size >= MEMO_LIMIT) memo[type].clear();
  memo[type].set(fileName, value);
  return value;
}

function dispositionOf(type: 'attachment' | 'inline', fileName: string): string {
  const name = fileName.replace(UNSAFE, '').trim() || 'download';
  const fallback = `filename="${asciiFallback(name)}"`;
  // '%' is plain ASCII but some clients percent-decode the plain parameter, so it gets filename* too.
  if (PLAIN.test(name) && !NEEDS_ESCAPE.test(name)) return `${type}; ${fallback}`;
  return `${type}; ${fallback}; filename*=UTF-8''${encodeRfc8187(name)}`;
}

/** One '_' per code point (not per UTF-16 unit), then quoted-string escaping. */
function asciiFallback(name: string): string {
  let out = '';
  for (const ch of name) out += ch <= '\u007e' ? ch : '_';
  return out.replace(/["\\]/g, '\\$&');
}

/**
 * RFC 8187 value-chars: attr-char is stricter than encodeURIComponent, which leaves ' ( ) * unencoded.
 * Lone surrogates become U+FFFD through TextEncoder rather than producing invalid UTF-8.
 */
function encodeRfc8187(name: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(name)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9!#$&+\-.^_`|~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
