const DAY_MS = 86_400_000;
/** Days kept: an export's rows span a few dozen days (registered, last contact, expiries); a bound keeps odd data cheap. */
const DAYS_KEPT = 4_096;
/** 0001-01-01 and 9999-12-31: inside them toISOString has a four-digit year, the layout written here. */
const FIRST_MS = -62_135_596_800_000;
const LAST_MS = 253_402_300_799_999;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const TWO = Array.from({ length: 60 }, (_, n) => pad(n, 2));
const THREE = Array.from({ length: 1000 }, (_, n) => pad(n, 3));

/**
 * Date.prototype.toISOString for epoch-ms times, the same text at a fraction of the cost: an export writes five
 * times per row, a million rows, and toISOString was a sixth of the export's CPU (docs/performance.md, "The
 * export's own cost"). The date part of each day is made once by toISOString and kept; the time of day is
 * integer arithmetic. Anything else (a fraction, a year outside 1-9999) goes to toISOString itself.
 */
export class IsoTimeFormatter {
  readonly #days = new Map<number, string>();

  format(epochMs: number): string {
    if (!Number.isInteger(epochMs) || epochMs < FIRST_MS || epochMs > LAST_MS) return new Date(epochMs).toISOString();
    const day = Math.floor(epochMs / DAY_MS);
    let date = this.#days.get(day);
    if (date === undefined) {
      if (this.#days.size >= DAYS_KEPT) this.#days.clear();
      date = new Date(day * DAY_MS).toISOString().slice(0, 11);
      this.#days.set(day, date);
    }
    const inDay = epochMs - day * DAY_MS;
    const seconds = Math.floor(inDay / 1000);
    return `${date}${TWO[Math.floor(seconds / 3600)]}:${TWO[Math.floor(seconds / 60) % 60]}:${TWO[seconds % 60]}.${THREE[inDay % 1000]}Z`;
  }
}
