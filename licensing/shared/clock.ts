/** Time is injected everywhere so tests and simulations can move it deterministically. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; used by tests and by embedders of createSatelliteApp. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  set(epochMs: number): void {
    this.#now = epochMs;
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;
