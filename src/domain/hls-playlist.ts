/**
 * The playlists of on-demand HLS: fixed-length segments for the whole duration (known from the probe),
 * so the player's scrub bar is complete at once and a seek is only a request for a later segment.
 */

/** A tail shorter than this joins the last segment: ffmpeg cuts only where a segment is due, never for a few frames. */
const MIN_TAIL_SECONDS = 1;

export function segmentCount(durationSeconds: number, segmentSeconds: number): number {
  const whole = Math.floor(durationSeconds / segmentSeconds);
  const tail = durationSeconds - whole * segmentSeconds;
  return Math.max(1, tail >= MIN_TAIL_SECONDS ? whole + 1 : whole);
}

export const segmentStart = (n: number, segmentSeconds: number): number => n * segmentSeconds;

/** A VOD media playlist: segment N covers [N*T, (N+1)*T), the last one what is left. */
export function mediaPlaylist(durationSeconds: number, segmentSeconds: number, uri: (n: number) => string): string {
  const count = segmentCount(durationSeconds, segmentSeconds);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.ceil(segmentSeconds)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  for (let n = 0; n < count; n++) {
    const length = n === count - 1 ? durationSeconds - n * segmentSeconds : segmentSeconds;
    lines.push(`#EXTINF:${Math.max(length, 0.001).toFixed(3)},`, uri(n));
  }
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

export interface MasterSubtitle {
  name: string;
  language?: string;
  uri: string;
}

/** The master playlist: one variant (the file's own, remuxed or transcoded) and its text subtitles. */
export function masterPlaylist(variant: {
  uri: string;
  bandwidth: number;
  width?: number;
  height?: number;
  subtitles: MasterSubtitle[];
}): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const s of variant.subtitles) {
    const attrs = [
      'TYPE=SUBTITLES',
      'GROUP-ID="subs"',
      `NAME="${quoted(s.name)}"`,
      ...(s.language ? [`LANGUAGE="${quoted(s.language)}"`] : []),
      'DEFAULT=NO',
      'AUTOSELECT=YES',
      `URI="${s.uri}"`,
    ];
    lines.push(`#EXT-X-MEDIA:${attrs.join(',')}`);
  }
  const inf = [`BANDWIDTH=${Math.max(1, Math.round(variant.bandwidth))}`];
  if (variant.width && variant.height) inf.push(`RESOLUTION=${variant.width}x${variant.height}`);
  if (variant.subtitles.length > 0) inf.push('SUBTITLES="subs"');
  lines.push(`#EXT-X-STREAM-INF:${inf.join(',')}`, variant.uri, '');
  return lines.join('\n');
}

/** A subtitle rendition: one WebVTT file for the whole duration. */
export function subtitlePlaylist(durationSeconds: number, uri: string): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.ceil(durationSeconds)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${durationSeconds.toFixed(3)},`,
    uri,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

const quoted = (s: string) => s.replace(/["\r\n]/g, ' ');
