import { runSoak } from '../../bench/lib/soak.js';

// The CI version of `npm run soak` (bench/README.md, "Soak"): the same runSoak, 30 s, 20 clients
// over 2 torrents of 16 MiB on a loopback swarm. Under jest the seeders and clients share this
// process (ts-jest cannot fork the TypeScript children), so RSS growth is printed, not asserted.
test('20 clients x 30 s of random seeks: no 5xx, no corrupt byte, no stall', async () => {
  const report = await runSoak({
    clients: 20,
    durationMs: 30_000,
    torrents: 2,
    fileMiB: 16,
    seed: 7,
    rssSampleMs: 1000,
  });
  const t = report.totals;
  // Every problem by kind, with the first ones in detail, in the failure message.
  expect({ problems: report.problems, examples: report.examples }).toEqual({ problems: {}, examples: [] });
  expect(t).toMatchObject({
    status4xx: 0,
    status5xx: 0,
    statusOther: 0,
    corruptBytes: 0,
    badHeaders: 0,
    shortBodies: 0,
    stalls: 0,
    errors: 0,
  });
  expect(t.requests).toBeGreaterThan(100);
  expect(t.completed + t.aborted).toBeGreaterThan(100);
  console.log(
    `soak (CI): ${t.requests} requests, ${(t.bytes / 2 ** 30).toFixed(2)} GiB checked, ` +
      `first byte p99 ${report.latencyMs.firstByte.p99.toFixed(1)} ms, RSS ${report.rss.warmupMiB.toFixed(0)} -> ` +
      `${report.rss.maxMiB.toFixed(0)} -> ${report.rss.endMiB.toFixed(0)} MiB (in-process), ` +
      `event loop p99 ${report.eventLoopMs.p99.toFixed(1)} ms`,
  );
}, 120_000);
