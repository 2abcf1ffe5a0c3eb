/**
 * Watches the process's event loop with a short unref'd timer: every tick that fires late measures a stall
 * (a synchronous query, a large JSON, a GC pause) that held every other request, devices included.
 * perf_hooks.monitorEventLoopDelay was not used because its reset() forgets the interval in progress, so a
 * stall right after a scrape would never be reported.
 */
export class EventLoopStallWatch {
  readonly #intervalMs: number;
  readonly #onTick: (lateMs: number) => void;
  #lastTick = performance.now();
  #maxLateMs = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs: number, onTick: (lateMs: number) => void = () => undefined) {
    this.#intervalMs = intervalMs;
    this.#onTick = onTick;
    this.#timer = setInterval(() => this.#tick(), intervalMs);
    // A metric must never keep a process alive.
    this.#timer.unref();
  }

  /**
   * The longest stall since the previous call, in ms. A stall still running when this is called (the
   * timer has not fired yet because the loop was busy) counts too; it may then count again next time.
   */
  takeMaxMs(): number {
    const max = Math.max(this.#maxLateMs, this.#lateNow(performance.now()));
    this.#maxLateMs = 0;
    return max;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    const now = performance.now();
    const late = this.#lateNow(now);
    this.#lastTick = now;
    if (late > this.#maxLateMs) this.#maxLateMs = late;
    this.#onTick(late);
  }

  #lateNow(now: number): number {
    return Math.max(0, now - this.#lastTick - this.#intervalMs);
  }
}
