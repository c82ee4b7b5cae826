import { masterPlaylist, mediaPlaylist, segmentCount, subtitlePlaylist } from '../../src/domain/hls-playlist.js';

describe('HLS playlists', () => {
  test('fixed-length segments for the whole duration; a tail under a second joins the last one', () => {
    expect(segmentCount(24, 4)).toBe(6);
    expect(segmentCount(24.02, 4)).toBe(6);
    expect(segmentCount(25.5, 4)).toBe(7);
    expect(segmentCount(0.5, 4)).toBe(1);
    const text = mediaPlaylist(25.5, 4, (n) => `seg-${n}.ts`);
    const durations = [...text.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
    expect(durations).toEqual([4, 4, 4, 4, 4, 4, 1.5]);
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(text).toContain('#EXT-X-TARGETDURATION:4');
    expect(text.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const folded = [...mediaPlaylist(24.02, 4, (n) => `s${n}`).matchAll(/#EXTINF:([\d.]+),/g)].map((m) => m[1]);
    expect(folded.at(-1)).toBe('4.020');
  });

  test('the master lists the variant and its subtitle renditions', () => {
    const text = masterPlaylist({
      uri: 'copy.aac.0/index.m3u8',
      bandwidth: 1234.5,
      width: 320,
      height: 240,
      subtitles: [{ name: 'English "SDH"', language: 'eng', uri: 'subtitles/0.m3u8' }],
    });
    expect(text).toContain(
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English  SDH ",LANGUAGE="eng",DEFAULT=NO,AUTOSELECT=YES,URI="subtitles/0.m3u8"',
    );
    expect(text).toContain(
      '#EXT-X-STREAM-INF:BANDWIDTH=1235,RESOLUTION=320x240,SUBTITLES="subs"\ncopy.aac.0/index.m3u8',
    );
    expect(subtitlePlaylist(24, 'x.vtt')).toContain('#EXTINF:24.000,\nx.vtt');
  });
});
