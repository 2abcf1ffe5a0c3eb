import type { ComplianceSweep } from '../../licensing/compliance/compliance-sweep.js';
import type { Clock } from '../../licensing/shared/clock.js';

/** The part of the timer API the schedule uses; injected so tests fire runs by hand. */
export interface TimerPort {
  /** `run` returns the run's promise, so a test that fires it by hand can await it. */
  set(run: () => unknown, delayMs: number): { cancel(): void };
}

export const nodeTimers: TimerPort = {
  set(run, delayMs) {
    const handle = setTimeout(run, delayMs);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

export interface ComplianceScheduleDeps {
  sweep: Pick<ComplianceSweep, 'run' | 'nextLineBoundary'> & Partial<Pick<ComplianceSweep, 'runInSteps'>>;
  clock: Clock;
  /** The longest wait between runs (inventory timers, token warnings, the daily history rows). */
  intervalMs: number;
  timers?: TimerPort;
  /** Also time-driven, run after every sweep (sync age and credential alerts). */
  afterRun?: () => void;
  logger: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => {
  setImmediate(resolve);
});

/** setTimeout's largest delay; a later boundary is simply reached through the interval. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Runs the compliance sweep at start, then at the next license line start or end (so compliance and alerts
 * flip at the boundary, DESIGN §8.3) or after the interval, whichever comes first. Nothing is kept between
 * runs but the timer: each run reads the next boundary afresh from the lines, so lines added meanwhile and a
 * restart are both covered (the run at start catches any boundary passed while the process was down).
 */
export class ComplianceSchedule {
  readonly #deps: ComplianceScheduleDeps;
  #timer: { cancel(): void } | null = null;
  #nextRunAt: number | null = null;
  #stopped = true;
  #running: Promise<void> | null = null;

  constructor(deps: ComplianceScheduleDeps) {
    this.#deps = deps;
  }

  /** Resolves when the first run has finished (main.ts does not wait; tests do). */
  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    await this.runNow();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = null;
    this.#nextRunAt = null;
  }

  /** When the next run is due, by the injected clock; null when stopped. */
  nextRunAt(): number | null {
    return this.#nextRunAt;
  }

  /**
   * One run, then the next one scheduled. Never throws: a busy database is tried again at the next run. At a
   * million instances the run reads in chunks and yields between them (ComplianceSweep.runInSteps), so the
   * run at start does not stall the devices' first requests after listen.
   */
  runNow(): Promise<void> {
    // A run asked for while one is under way is that run: two would only repeat each other's work.
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = null;
    try {
      const sweep = this.#deps.sweep;
      const result = sweep.runInSteps ? await sweep.runInSteps(nextTurn) : sweep.run();
      this.#deps.afterRun?.();
      const changes = result.raised + result.cleared + result.authorizationsExpired + result.registrationsExpired;
      if (changes > 0) this.#deps.logger.info(result, 'compliance sweep: states and alerts re-evaluated');
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'compliance sweep failed');
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    const now = this.#deps.clock.now();
    let boundary: number | null = null;
    try {
      boundary = this.#deps.sweep.nextLineBoundary();
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'could not read the next license line boundary');
    }
    const due = Math.min(now + this.#deps.intervalMs, boundary ?? Number.POSITIVE_INFINITY);
    this.#nextRunAt = due;
    this.#timer = (this.#deps.timers ?? nodeTimers).set(() => this.runNow(), Math.min(MAX_DELAY_MS, Math.max(0, due - now)));
  }
}
