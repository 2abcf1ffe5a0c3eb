import cron from 'node-cron';
import { z } from 'zod';
import type { Clock } from '../../licensing/shared/clock.js';
import type { SyncRunner } from './sync-runner.js';

export const DEFAULT_SYNC_SCHEDULE = 'daily@02:30';
export const DEFAULT_SYNC_JITTER_MINUTES = 30;

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const TIME = '([01]\\d|2[0-3]):([0-5]\\d)';
const DAILY = new RegExp(`^daily@${TIME}$`);
const WEEKLY = new RegExp(`^weekly@(${DAYS.join('|')}) ${TIME}$`);
const MONTHLY = new RegExp(`^monthly@([1-9]|1\\d|2[0-8]) ${TIME}$`);

/** A cron expression from the friendly forms, or null when the text is none of them. */
function friendlyToCron(text: string): string | null {
  const daily = DAILY.exec(text);
  if (daily) return `${Number(daily[2])} ${Number(daily[1])} * * *`;
  const weekly = WEEKLY.exec(text);
  if (weekly) return `${Number(weekly[3])} ${Number(weekly[2])} * * ${DAYS.findIndex((d) => d === weekly[1])}`;
  const monthly = MONTHLY.exec(text);
  // Days 29-31 are refused: a monthly sync must not skip February.
  if (monthly) return `${Number(monthly[3])} ${Number(monthly[2])} ${Number(monthly[1])} * *`;
  return null;
}

/**
 * SATELLITE_SYNC_SCHEDULE: 'daily@HH:MM', 'weekly@<sun..sat> HH:MM', 'monthly@<1..28> HH:MM' (local time of
 * the process) or a raw cron expression that node-cron accepts. Parses to the cron expression.
 */
export const syncScheduleSchema = z.string().trim().min(1).transform((text, ctx) => {
  const friendly = friendlyToCron(text);
  if (friendly) return friendly;
  if (!/^(daily|weekly|monthly)@/.test(text) && cron.validate(text)) return text;
  ctx.addIssue({
    code: 'custom',
    message: `"${text}" is not a sync schedule: use daily@HH:MM, weekly@sun HH:MM, monthly@1 HH:MM or a cron expression`,
  });
  return z.NEVER;
});

export function parseSyncSchedule(text: string): string {
  return syncScheduleSchema.parse(text);
}

/** The part of node-cron the schedule uses; injected so tests fire ticks by hand. */
export interface CronScheduler {
  schedule(expression: string, tick: () => void): { stop(): void; nextRun(): Date | null };
}

export const nodeCronScheduler: CronScheduler = {
  schedule(expression, tick) {
    // node-cron's own overlap guard stays off: the runner refuses overlaps and says so.
    const task = cron.schedule(expression, tick);
    return { stop: () => void task.stop(), nextRun: () => task.getNextRun() };
  },
};

export interface SyncScheduleDeps {
  runner: Pick<SyncRunner, 'runScheduled' | 'running' | 'evaluateAlerts'>;
  /** Reads the mode at every tick, so switching modes needs no restart. */
  isConnected(): boolean;
  clock: Clock;
  cronExpression: string;
  jitterMinutes?: number;
  scheduler?: CronScheduler;
  random?: () => number;
  delay?: (ms: number) => Promise<void>;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * Connected sync on node-cron (DESIGN §5): at every tick, wait a random jitter (so a fleet of satellites
 * does not hit the upstream in the same second), then run with retries, only in connected mode.
 */
export class SyncSchedule {
  readonly #deps: SyncScheduleDeps;
  #task: { stop(): void; nextRun(): Date | null } | null = null;

  constructor(deps: SyncScheduleDeps) {
    this.#deps = deps;
  }

  start(): void {
    if (this.#task) return;
    this.#task = (this.#deps.scheduler ?? nodeCronScheduler).schedule(this.#deps.cronExpression, () => void this.tick());
  }

  stop(): void {
    this.#task?.stop();
    this.#task = null;
  }

  /** The next tick (jitter not included), null when stopped. */
  nextRunAt(): number | null {
    return this.#task?.nextRun()?.getTime() ?? null;
  }

  /** One tick; exposed so tests and the scheduler share it. Never throws. */
  async tick(): Promise<void> {
    try {
      this.#deps.runner.evaluateAlerts();
      if (!this.#deps.isConnected()) return;
      if (this.#deps.runner.running) {
        this.#deps.logger.info({}, 'scheduled sync skipped: a run is still in progress');
        return;
      }
      const jitterMs = Math.floor((this.#deps.random ?? Math.random)() * (this.#deps.jitterMinutes ?? DEFAULT_SYNC_JITTER_MINUTES) * 60_000);
      if (jitterMs > 0) await (this.#deps.delay ?? sleep)(jitterMs);
      if (this.#deps.runner.running || !this.#deps.isConnected()) return;
      const outcome = await this.#deps.runner.runScheduled();
      if (!outcome.ok) this.#deps.logger.warn({ failureClass: outcome.failureClass, attempts: outcome.attempts }, 'scheduled sync failed');
    } catch (error) {
      // A failing database or an unregistered satellite must not take the process down; the next tick tries again.
      this.#deps.logger.error({ err: error }, 'scheduled sync could not run');
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
