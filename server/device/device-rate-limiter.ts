/** What one request's admission looks like, with the draft-7 RateLimit headers that describe it. */
export interface RateAdmission {
  allowed: boolean;
  headers: ReadonlyArray<readonly [string, string]>;
}

/**
 * Requests per minute per client address on the device transports (SATELLITE_DEVICE_RATE_LIMIT), shared
 * by the Express routes and the fast path in front of them so a client gets one budget whichever serves it.
 * A fixed window, like express-rate-limit's memory store: the whole map is dropped when the window rolls
 * over, so memory is bounded by the addresses seen in one minute and the hot path is one Map lookup.
 * The headers are the ones express-rate-limit sends with `standardHeaders: 'draft-7'`, plus Retry-After on 429.
 */
export class DeviceRateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #policy: string;
  #windowStart = 0;
  #counts = new Map<string, number>();

  constructor(options: { limitPerWindow: number; windowMs?: number; now?: () => number }) {
    this.#limit = options.limitPerWindow;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#policy = `${this.#limit};w=${Math.ceil(this.#windowMs / 1000)}`;
  }

  /** Counts one request from `address`; null when the limit is off. */
  admit(address: string): RateAdmission | null {
    if (this.#limit <= 0) return null;
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now - ((now - this.#windowStart) % this.#windowMs);
      this.#counts = new Map();
    }
    const count = (this.#counts.get(address) ?? 0) + 1;
    this.#counts.set(address, count);
    const resetSeconds = Math.max(0, Math.ceil((this.#windowStart + this.#windowMs - now) / 1000));
    const headers: Array<readonly [string, string]> = [
      ['RateLimit-Policy', this.#policy],
      ['RateLimit', `limit=${this.#limit}, remaining=${Math.max(0, this.#limit - count)}, reset=${resetSeconds}`],
    ];
    const allowed = count <= this.#limit;
    if (!allowed) headers.push(['Retry-After', String(resetSeconds)]);
    return { allowed, headers };
  }
}
