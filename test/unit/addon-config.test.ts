import {
  DEFAULT_ADDON_CONFIG,
  encodeAddonConfig,
  parseAddonConfig,
  selectUpstreams,
  upstreamKey,
  upstreamLabel,
} from '../../src/domain/addon-config.js';

const A = 'https://a.test/manifest.json';
const B = 'https://b.test/secret-token-123/manifest.json';

describe('parseAddonConfig', () => {
  it.each([undefined, false, null, 'x', 42, ['cachedOnly']])('falls back to defaults for %j', (raw) => {
    expect(parseAddonConfig(raw)).toEqual(DEFAULT_ADDON_CONFIG);
  });

  it.each([true, 'true', 'on', 'checked'])('cachedOnly %j is on', (value) => {
    expect(parseAddonConfig({ cachedOnly: value }).cachedOnly).toBe(true);
  });

  it.each([false, 'false', '', 'off', 0])('cachedOnly %j is off', (value) => {
    expect(parseAddonConfig({ cachedOnly: value }).cachedOnly).toBe(false);
  });

  it('reads upstream keys as an array or a comma list, ignoring junk', () => {
    expect(parseAddonConfig({ upstreams: ['k1', 2, 'k2'] }).upstreams).toEqual(['k1', 'k2']);
    expect(parseAddonConfig({ upstreams: ' k1, ,k2 ' }).upstreams).toEqual(['k1', 'k2']);
    expect(parseAddonConfig({ upstreams: [] }).upstreams).toEqual([]);
    expect(parseAddonConfig({}).upstreams).toBeUndefined();
  });
});

describe('upstream keys and selection', () => {
  it('keys are short, stable and do not reveal the URL', () => {
    expect(upstreamKey(B)).toMatch(/^[0-9a-f]{10}$/);
    expect(upstreamKey(B)).toBe(upstreamKey(B));
    expect(upstreamKey(A)).not.toBe(upstreamKey(B));
    expect(upstreamLabel(B)).toBe('b.test');
    expect(upstreamLabel('not a url')).toBe('upstream');
  });

  it('undefined = all, [] = none, keys pick in configured order', () => {
    expect(selectUpstreams([A, B], DEFAULT_ADDON_CONFIG)).toEqual([A, B]);
    expect(selectUpstreams([A, B], { cachedOnly: false, upstreams: [] })).toEqual([]);
    expect(selectUpstreams([A, B], { cachedOnly: false, upstreams: [upstreamKey(B), 'unknown'] })).toEqual([B]);
  });
});

describe('encodeAddonConfig', () => {
  it('is the SDK format (URL-encoded JSON) and round-trips', () => {
    const config = { cachedOnly: true, upstreams: [upstreamKey(A)] };
    const segment = encodeAddonConfig(config);
    expect(segment).not.toMatch(/[/?#{}"]/);
    expect(parseAddonConfig(JSON.parse(decodeURIComponent(segment)))).toEqual(config);
    expect(encodeAddonConfig(DEFAULT_ADDON_CONFIG)).toBe(encodeURIComponent('{}'));
  });
});
