import { intervalToCron, scheduleJob } from '../../src/adapters/cron-scheduler.js';

describe('intervalToCron', () => {
  test.each([
    [1, '*/1 * * * * *'],
    [30, '*/30 * * * * *'],
    [60, '0 */1 * * * *'],
    [300, '0 */5 * * * *'],
    [3600, '0 0 */1 * * *'],
    [7200, '0 0 */2 * * *'],
    [45, '* * * * * *'],
    [420, '* * * * * *'],
  ])('%i s -> %s', (seconds, expected) => {
    expect(intervalToCron(seconds)).toBe(expected);
  });
});

describe('scheduleJob (real node-cron)', () => {
  test('runs on a cron expression and never overlaps a slow run', async () => {
    let running = 0;
    let maxConcurrent = 0;
    let runs = 0;
    const job = scheduleJob('test', { cron: '* * * * * *' }, async () => {
      running++;
      runs++;
      maxConcurrent = Math.max(maxConcurrent, running);
      await new Promise((r) => setTimeout(r, 1500)); // longer than the period
      running--;
    });
    await new Promise((r) => setTimeout(r, 3500));
    await job.stop();
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(maxConcurrent).toBe(1);
  });

  test('an interval no cron field expresses still runs at that pace', async () => {
    const times: number[] = [];
    const job = scheduleJob('test', { everySeconds: 7 }, async () => {
      times.push(Date.now());
    });
    await new Promise((r) => setTimeout(r, 1500));
    await job.stop();
    expect(times).toHaveLength(0); // 7 s have not passed
  });

  test('a bad expression is refused', () => {
    expect(() => scheduleJob('bad', { cron: 'not a cron' }, async () => undefined)).toThrow(/Invalid cron expression/);
  });
});
