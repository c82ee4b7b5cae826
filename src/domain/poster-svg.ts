/**
 * A generated 2:3 poster for a torrent that has no artwork: its name, wrapped over a few lines, on a
 * gradient whose hue comes from a seed (the info hash), so each torrent keeps its own colour. Names
 * come from torrents and are untrusted: everything is XML-escaped and characters XML cannot carry are
 * dropped, so the output is always a well-formed SVG document.
 */

export const POSTER_WIDTH = 300;
export const POSTER_HEIGHT = 450;
/** Characters per line at the font size below (a rough average glyph width for a sans-serif bold). */
export const LINE_CHARS = 16;
export const MAX_LINES = 6;

const FONT_SIZE = 26;
const LINE_HEIGHT = 34;
/** The accessible <title> keeps the whole name, within reason. */
const MAX_TITLE_CHARS = 300;
const ELLIPSIS = '…';

export function posterSvg(title: string, seed: string): string {
  const name = cleanText(title);
  const lines = wrapText(name, LINE_CHARS, MAX_LINES);
  const hue = hueOf(seed);
  const top = hslToHex(hue, 0.55, 0.38);
  const bottom = hslToHex((hue + 40) % 360, 0.6, 0.12);
  const cx = POSTER_WIDTH / 2;
  // Centre the block of lines; a baseline sits about 0.35 em below the middle of its line.
  const firstBaseline = POSTER_HEIGHT / 2 - ((lines.length - 1) * LINE_HEIGHT) / 2 + Math.round(FONT_SIZE * 0.35);
  const tspans = lines
    .map((line, i) => `<tspan x="${cx}" y="${firstBaseline + i * LINE_HEIGHT}">${escapeXml(line)}</tspan>`)
    .join('');
  const label = escapeXml(truncate(name, MAX_TITLE_CHARS));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${POSTER_WIDTH}" height="${POSTER_HEIGHT}" viewBox="0 0 ${POSTER_WIDTH} ${POSTER_HEIGHT}" role="img" aria-label="${label}">`,
    `<title>${label}</title>`,
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="0.4" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs>`,
    `<rect width="${POSTER_WIDTH}" height="${POSTER_HEIGHT}" fill="url(#bg)"/>`,
    `<rect x="12" y="12" width="${POSTER_WIDTH - 24}" height="${POSTER_HEIGHT - 24}" rx="10" fill="none" stroke="#ffffff" stroke-opacity="0.18" stroke-width="2"/>`,
    lines.length > 0
      ? `<text font-family="Helvetica, Arial, sans-serif" font-size="${FONT_SIZE}" font-weight="700" fill="#ffffff" text-anchor="middle">${tspans}</text>`
      : '',
    '</svg>',
  ].join('\n');
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]!,
  );
}

/**
 * Drops what XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF) and collapses
 * whitespace, so a hostile name can neither break the document nor its layout.
 */
function cleanText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/[\ufffe\uffff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Greedy word wrap counted in code points. Torrent names often use dots or underscores instead of
 * spaces ("Show.S01E01.1080p"), so a line may also break after ".", "_" or "-"; a word longer than a
 * line is cut. Text beyond the last line is replaced by an ellipsis.
 */
export function wrapText(text: string, width: number, maxLines: number): string[] {
  const tokens = text.match(/[^\s._-]*[._-]+|[^\s._-]+|\s+/g) ?? [];
  const lines: string[] = [];
  let current = '';
  const push = () => {
    if (current.trim()) lines.push(current.trim());
    current = '';
  };
  for (const token of tokens) {
    if (/^\s+$/.test(token)) {
      if (current) current += ' ';
      continue;
    }
    if (length(current) + length(token) > width && current.trim()) push();
    let rest = token;
    while (length(rest) > width) {
      const chars = Array.from(rest);
      lines.push(chars.slice(0, width).join(''));
      rest = chars.slice(width).join('');
    }
    current += rest;
  }
  push();
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${Array.from(kept[maxLines - 1]!)
    .slice(0, width - 1)
    .join('')
    .trimEnd()}${ELLIPSIS}`;
  return kept;
}

/** At most `max` code points, the last one an ellipsis when anything was cut. */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars
    .slice(0, max - 1)
    .join('')
    .trimEnd()}${ELLIPSIS}`;
}

const length = (text: string): number => Array.from(text).length;

/** FNV-1a over the seed: stable across runs and platforms, spread well enough for a hue. */
export function hueOf(seed: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 360;
}

/** Hex rather than hsl(): SVG 1.1 renderers (some TV apps) do not know CSS3 colours. */
function hslToHex(hue: number, saturation: number, lightness: number): string {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
