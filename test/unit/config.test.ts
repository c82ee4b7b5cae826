import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_TRACKERS } from '../../src/domain/default-trackers.js';

describe('loadConfig', () => {
  test('every documented variable has its default', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.port).toBe(7000);
    expect(c.nodeEnv).toBe('development');
    expect(c.logLevel).toBe('info');
    expect(c.publicUrl).toBeUndefined();
    expect(c.downloadDir).toBe(path.resolve('/srv/app/data/downloads'));
    expect(c.cache).toEqual({
      backend: 'sqlite',
      ttlSeconds: 3600,
      maxSize: 1000,
      maxDiskMb: 5000,
      minFreeMb: 500,
      cleanupIntervalSeconds: 300,
      cleanupCron: undefined,
      orphanGraceSeconds: 600,
      persistent: false,
      dbPath: path.resolve('/srv/app/data/cache.db'),
    });
    expect(c.redis).toEqual({ url: 'redis://127.0.0.1:6379', password: undefined, keyPrefix: 'tss:' });
    expect(c.torrent).toMatchObject({
      timeoutMs: 60000,
      maxRetries: 3,
      maxConnections: 25,
      downloadLimitKiB: 0,
      uploadLimitKiB: 0,
      dht: true,
      peerPort: 6881,
    });
    expect(c.torrent.trackers).toEqual(DEFAULT_TRACKERS);
    expect(c.torrent.trackers.length).toBeGreaterThanOrEqual(30);
  });

  test('values are parsed and the result is frozen', () => {
    const c = loadConfig({
      PORT: '8080',
      CACHE_BACKEND: 'REDIS',
      TORRENT_DHT: 'false',
      CACHE_PERSISTENT: 'yes',
      PUBLIC_URL: 'https://tv.example.org/',
      REDIS_PASSWORD: 's3cret',
    });
    expect(c.port).toBe(8080);
    expect(c.cache.backend).toBe('redis');
    expect(c.torrent.dht).toBe(false);
    expect(c.cache.persistent).toBe(true);
    expect(c.publicUrl).toBe('https://tv.example.org');
    expect(c.redis.password).toBe('s3cret');
    expect(Object.isFrozen(c.cache)).toBe(true);
  });

  test('TORRENT_TRACKERS replaces the built-in list; empty means none', () => {
    expect(
      loadConfig({ TORRENT_TRACKERS: 'udp://a.example:1/announce, http://b.example/announce' }).torrent.trackers,
    ).toEqual(['udp://a.example:1/announce', 'http://b.example/announce']);
    expect(loadConfig({ TORRENT_TRACKERS: '' }).torrent.trackers).toEqual([]);
  });

  test('NODE_ID defaults to the hostname, NODE_URL to none (the listening URL), and both are checked', () => {
    const c = loadConfig({});
    expect(c.node).toEqual({ id: os.hostname(), url: undefined, leaseTtlMs: 30_000 });
    expect(loadConfig({ NODE_ID: 'node-a', NODE_URL: 'http://10.0.0.5:7000/', LEASE_TTL_MS: '5000' }).node).toEqual({
      id: 'node-a',
      url: 'http://10.0.0.5:7000',
      leaseTtlMs: 5000,
    });
    expect(() => loadConfig({ NODE_ID: 'a:b', NODE_URL: 'ftp://x', LEASE_TTL_MS: '10' })).toThrow(
      /NODE_URL[\s\S]*LEASE_TTL_MS[\s\S]*NODE_ID="a:b"/,
    );
  });

  test('one error names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'abc',
        CACHE_BACKEND: 'mongo',
        TORRENT_TIMEOUT: '-5',
        TORRENT_DHT: 'maybe',
        PUBLIC_URL: 'not a url',
        CACHE_CLEANUP_CRON: 'every day',
        TORRENT_TRACKERS: 'ftp://x',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of [
      'PORT',
      'CACHE_BACKEND',
      'TORRENT_TIMEOUT',
      'TORRENT_DHT',
      'PUBLIC_URL',
      'CACHE_CLEANUP_CRON',
      'TORRENT_TRACKERS',
    ]) {
      expect(problems).toContain(key);
    }
    expect((error as ConfigError).problems).toHaveLength(7);
  });
});
