import type { ComplianceSweep } from '../../licensing/compliance/compliance-sweep.js';
import type { Clock } from '../../licensing/shared/clock.js';

/** The part of the timer API the schedule uses; injected so tests fire runs by hand. */
export interface TimerPort {
  set(run: () => void, delayMs: number): { cancel(): void };
}

export const nodeTimers: TimerPort = {
  set(run, delayMs) {
    const handle = setTimeout(run, delayMs);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

export interface ComplianceScheduleDeps {
  sweep: Pick<ComplianceSweep, 'run' | 'nextLineBoundary'>;
  clock: Clock;
  /** The longest wait between runs (inventory timers, token warnings, the daily history rows). */
  intervalMs: number;
  timers?: TimerPort;
  /** Also time-driven, run after every sweep (sync age and credential alerts). */
  afterRun?: () => void;
  logger: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

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

  constructor(deps: ComplianceScheduleDeps) {
    this.#deps = deps;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.runNow();
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

  /** One run, then the next one scheduled. Never throws: a busy database is tried again at the next run. */
  runNow(): void {
    this.#timer?.cancel();
    this.#timer = null;
    try {
      const result = this.#deps.sweep.run();
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
