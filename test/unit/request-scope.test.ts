import { EventEmitter } from 'node:events';
import { ScopedStorage } from '../../src/request-scope.js';

// The request scope (request ids on log lines, the Stremio addon's base URL) is on only while a request
// that uses it is in flight: once the last response closes, its values are gone (and, with them, the
// process-wide async hooks an enabled AsyncLocalStorage costs every promise on Node 20).

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a value reaches the async work of its request, until the response closes', async () => {
  const scope = new ScopedStorage<string>();
  const res = new EventEmitter();
  const seen: Array<string | undefined> = [];
  const work = scope.run('req-1', res, async () => {
    seen.push(scope.getStore());
    await tick();
    seen.push(scope.getStore());
    res.emit('close');
    await tick();
    seen.push(scope.getStore());
  });
  expect(scope.inFlight).toBe(1);
  await work;
  expect(seen).toEqual(['req-1', 'req-1', undefined]);
  expect(scope.inFlight).toBe(0);
  expect(scope.getStore()).toBeUndefined();
});

test('overlapping requests keep their own values; the scope stays on until the last one closes', async () => {
  const scope = new ScopedStorage<string>();
  const a = new EventEmitter();
  const b = new EventEmitter();
  let seenB: string | undefined;
  let resumeB!: () => void;
  const waitB = new Promise<void>((resolve) => (resumeB = resolve));
  const doneB = scope.run('b', b, async () => {
    await waitB;
    seenB = scope.getStore();
  });
  const seenA = await scope.run('a', a, async () => {
    await tick();
    return scope.getStore();
  });
  a.emit('close'); // b is still in flight: its value survives
  expect(scope.inFlight).toBe(1);
  resumeB();
  await doneB;
  expect([seenA, seenB]).toEqual(['a', 'b']);
  b.emit('close');
  expect(scope.inFlight).toBe(0);
  // Switched on again by the next request.
  const c = new EventEmitter();
  expect(await scope.run('c', c, async () => (await tick(), scope.getStore()))).toBe('c');
});
