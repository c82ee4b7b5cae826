import {
  runSoakClients,
  type SoakClientOptions,
  type SoakClientResult,
  type SoakCounters,
} from './lib/soak-clients.js';
import { soakFixture } from './lib/soak-fixture.js';

// Child process: the soak's players. Kept apart from the server measured, so that their buffers,
// byte comparisons and garbage collection count neither in the server's RSS nor in its event-loop delay.
export interface SoakClientRequest {
  options: SoakClientOptions;
  /** The fixtures are regenerated here from the seed (bench/lib/soak-fixture.ts), not copied. */
  fixtureSeed: number;
  progressMs: number;
}
export type SoakClientMessage =
  | { ready: true }
  | { progress: SoakCounters; elapsedMs: number; rssMiB: number }
  | { result: SoakClientResult; rssMiB: number }
  | { error: string };

const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
const send = (m: SoakClientMessage, cb: () => void = () => undefined) => process.send?.(m, cb);

process.once('message', async (m: SoakClientRequest) => {
  try {
    const fixtures = m.options.targets.map((t, i) => soakFixture(m.fixtureSeed, i, t.size));
    send({ ready: true });
    await new Promise((resolve) => process.once('message', resolve)); // 'go'
    const result = await runSoakClients(
      m.options,
      fixtures,
      (progress, elapsedMs) => send({ progress, elapsedMs, rssMiB: rssMiB() }),
      m.progressMs,
    );
    send({ result, rssMiB: rssMiB() }, () => process.exit(0));
  } catch (err) {
    send({ error: String((err as Error).stack ?? err) }, () => process.exit(1));
  }
});
process.on('disconnect', () => process.exit(0)); // the parent died: never outlive it
