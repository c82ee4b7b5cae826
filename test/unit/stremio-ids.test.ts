import { btihId, parseAddonId } from '../../src/domain/stremio-ids.js';

const HEX = '0123456789abcdef0123456789abcdef01234567';

describe('parseAddonId', () => {
  it.each([
    [`btih:${HEX}`, { kind: 'btih', infoHash: HEX }],
    [`btih:${HEX.toUpperCase()}:3`, { kind: 'btih', infoHash: HEX, fileIndex: 3 }],
    // base32 hashes are normalised to hex, like everywhere else in the API
    ['btih:AERUKZ4JVPG66AJDIVTYTK6N54ASGRLH', { kind: 'btih', infoHash: '0123456789abcdef0123456789abcdef01234567' }],
    ['tt0111161', { kind: 'imdb', imdbId: 'tt0111161' }],
    ['tt0944947:1:2', { kind: 'imdb', imdbId: 'tt0944947', season: 1, episode: 2 }],
    ['tt0944947:0:1', { kind: 'imdb', imdbId: 'tt0944947', season: 0, episode: 1 }],
  ])('%s', (id, expected) => {
    expect(parseAddonId(id)).toEqual(expected);
  });

  it.each([
    '',
    'btih:',
    `btih:${HEX}0`,
    `btih:${HEX}:`,
    `btih:${HEX}:-1`,
    `btih:${HEX}:1:2`,
    'tt',
    'tt12:1',
    'tt12:1:0',
    'kitsu:1',
    `${HEX}`,
    'TT0111161',
  ])('rejects %j', (id) => {
    expect(parseAddonId(id)).toBeUndefined();
  });

  it('round-trips our own ids', () => {
    expect(parseAddonId(btihId(HEX))).toEqual({ kind: 'btih', infoHash: HEX });
    expect(parseAddonId(btihId(HEX, 0))).toEqual({ kind: 'btih', infoHash: HEX, fileIndex: 0 });
  });
});
