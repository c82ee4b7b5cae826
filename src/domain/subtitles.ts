/**
 * Subtitle conversion for browsers: <track> only accepts WebVTT, while torrents mostly ship SRT in
 * whatever encoding the uploader's editor used.
 */

/** `H:MM:SS,mmm` with the sloppiness seen in the wild: 1-digit hours, 1-2 digit fractions, or none. */
const TIME = String.raw`(\d+):(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?`;
const TIMING = new RegExp(String.raw`^\s*${TIME}\s*-->\s*${TIME}(?:\s.*)?$`);

/**
 * SRT -> WebVTT. Cue numbers are kept (they are valid VTT cue identifiers) but not required; SRT
 * coordinate extensions after the timing ("X1:...") are dropped because VTT would misread them as
 * cue settings. Whitespace-only lines count as blank: in VTT they would otherwise glue two cues together.
 * Input that already is WebVTT is only normalised.
 */
export function srtToVtt(srt: string): string {
  const lines = srt
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd());

  if (/^WEBVTT(?:[ \t]|$)/.test(lines[0] ?? '')) return `${lines.join('\n').trimEnd()}\n`;

  const blocks: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line === '') {
      if (current.length > 0) blocks.push(current);
      current = [];
      continue;
    }
    const timing = TIMING.exec(line);
    if (timing) {
      // A timing line always opens a cue, even when the blank line before it is missing; whatever was
      // gathered so far that is not a lone cue number belongs to the previous cue.
      const id = current.length > 0 && /^\d+$/.test(current[current.length - 1]!.trim()) ? current.pop() : undefined;
      if (current.length > 0) blocks.push(current);
      current = id === undefined ? [] : [id.trim()];
      current.push(`${vttTime(timing.slice(1, 5))} --> ${vttTime(timing.slice(5, 9))}`);
      continue;
    }
    // "-->" may only appear on timing lines in VTT; in text it would turn the line into a broken cue.
    current.push(line.replace(/-->/g, '->'));
  }
  if (current.length > 0) blocks.push(current);

  // Blocks without a timing line (stray numbers, garbage) are not cues and VTT parsers would choke.
  const cues = blocks.filter((b) => b.some((l) => l.includes(' --> ')));
  return cues.length === 0 ? 'WEBVTT\n\n' : `WEBVTT\n\n${cues.map((c) => c.join('\n')).join('\n\n')}\n`;
}

/** VTT wants exactly HH:MM:SS.mmm (hours at least two digits). */
function vttTime([h = '0', m = '0', s = '0', frac = '']: Array<string | undefined>): string {
  const ms = frac.padEnd(3, '0');
  return `${h.padStart(2, '0')}:${m.padStart(2, '0')}:${s.padStart(2, '0')}.${ms}`;
}

/**
 * Bytes -> text. A BOM decides when present; otherwise strict UTF-8, and if that fails windows-1252,
 * the de-facto encoding of old western-European SRTs (every byte sequence is valid in it, so this
 * never throws). UTF-32 BOMs are not recognised: no player-bound subtitle uses them.
 */
export function decodeSubtitle(bytes: Uint8Array): string {
  const [b0, b1, b2] = bytes;
  if (b0 === 0xff && b1 === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (b0 === 0xfe && b1 === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const hasUtf8Bom = b0 === 0xef && b1 === 0xbb && b2 === 0xbf;
  const body = hasUtf8Bom ? bytes.subarray(3) : bytes;
  try {
    // ignoreBOM keeps a second, literal BOM as content; we already removed the real one.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    // A UTF-8 BOM with broken content is still more likely UTF-8 with a few bad bytes than cp1252.
    if (hasUtf8Bom) return new TextDecoder('utf-8').decode(body);
    return decodeWindows1252(bytes);
  }
}

/**
 * WHATWG windows-1252 for 0x80-0x9F (the only bytes where it differs from Latin-1: smart quotes,
 * dashes, the euro sign). Hand-rolled because Node >= 20.18.3 decodes the 'windows-1252' label as plain
 * Latin-1 (nodejs/node#60888), which turns exactly these characters into invisible C1 controls.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  bytes.forEach((b, i) => {
    units[i] = b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b;
  });
  return new TextDecoder('utf-16le').decode(units);
}
