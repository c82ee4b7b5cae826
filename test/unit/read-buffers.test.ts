import { jest } from '@jest/globals';
import { ReadBuffers } from '../../src/http/shared/read-buffers.js';

// The buffers respond-range reads small ranges into: size classes, reuse only after give(), a bounded
// idle pool, and nothing kept once unused.
test('take gives a buffer of the size class; a given one is reused, never one still out', () => {
  const pool = new ReadBuffers();
  const a = pool.take(65_536);
  const b = pool.take(70_000);
  expect(a.length).toBe(65_536);
  expect(b.length).toBe(131_072);
  const c = pool.take(65_536);
  expect(c).not.toBe(a); // a is still out
  pool.give(a);
  expect(pool.take(1)).toBe(a);
  expect(pool.take(65_536)).not.toBe(a);
});

test('the idle pool is bounded at 64 MiB and foreign sizes are not kept', () => {
  const pool = new ReadBuffers();
  const out = Array.from({ length: 70 }, () => pool.take(1024 * 1024));
  for (const buffer of out) pool.give(buffer);
  expect(pool.idleSize).toBe(64 * 1024 * 1024);
  pool.give(Buffer.alloc(100_000)); // not a size class
  expect(pool.idleSize).toBe(64 * 1024 * 1024);
});

test('idle buffers are let go after an interval in which none was taken', () => {
  jest.useFakeTimers();
  try {
    const pool = new ReadBuffers();
    pool.give(pool.take(65_536));
    jest.advanceTimersByTime(5000); // an interval with a take: kept
    expect(pool.idleSize).toBe(65_536);
    jest.advanceTimersByTime(5000); // one without: let go
    expect(pool.idleSize).toBe(0);
  } finally {
    jest.useRealTimers();
  }
});
