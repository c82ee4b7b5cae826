import cron, { type ScheduledTask } from 'node-cron';

export interface Schedule {
  /** A cron expression (5 or 6 fields) or an interval in seconds. */
  cron?: string;
  everySeconds?: number;
}

export interface ScheduledJob {
  stop(): Promise<void>;
}

/**
 * The only module that imports node-cron. Runs `task` on the schedule; a run that is still going
 * when the next one is due is skipped (noOverlap), never stacked.
 */
/** node-cron's own messages ("task still running, new execution blocked") go here instead of the console. */
export interface CronLog {
  debug(message: string): void;
  error(message: string): void;
}

const quiet: CronLog = { debug: () => undefined, error: () => undefined };

export function scheduleJob(
  name: string,
  schedule: Schedule,
  task: () => Promise<unknown>,
  log: CronLog = quiet,
): ScheduledJob {
  const expression = schedule.cron ?? intervalToCron(schedule.everySeconds ?? 300);
  if (!cron.validate(expression)) throw new Error(`Invalid cron expression for ${name}: "${expression}"`);
  let last = Date.now();
  const everyMs = (schedule.everySeconds ?? 0) * 1000;
  const exact = schedule.cron !== undefined || intervalToCron(schedule.everySeconds ?? 300) !== EVERY_SECOND;
  const job: ScheduledTask = cron.schedule(
    expression,
    async () => {
      // Intervals that no cron field can express tick every second and run when enough time has passed.
      if (!exact && Date.now() - last < everyMs) return;
      last = Date.now();
      await task();
    },
    {
      name,
      noOverlap: true,
      unref: true,
      logger: {
        info: (m) => log.debug(m),
        debug: (m) => log.debug(String(m)),
        warn: (m) => log.debug(m), // an overlap skip is the behaviour we asked for, not a problem
        error: (m, err) => log.error(`${String(m)}${err ? `: ${err.message}` : ''}`),
      },
    },
  );
  return {
    stop: async () => {
      await job.destroy();
    },
  };
}

const EVERY_SECOND = '* * * * * *';

/** 30 -> every 30 s, 300 -> every 5 min, 7200 -> every 2 h; anything else ticks each second. */
export function intervalToCron(seconds: number): string {
  if (seconds < 60 && 60 % seconds === 0) return `*/${seconds} * * * * *`;
  if (seconds % 60 === 0 && seconds < 3600 && 60 % (seconds / 60) === 0) return `0 */${seconds / 60} * * * *`;
  if (seconds % 3600 === 0 && 24 % (seconds / 3600) === 0) return `0 0 */${seconds / 3600} * * *`;
  return EVERY_SECOND;
}
