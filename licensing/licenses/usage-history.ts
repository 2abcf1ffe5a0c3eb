import { MS_PER_DAY } from '../shared/clock.js';

/** One row of the usage history: a VA's pool for one tag on one UTC day (docs/licensing.md). */
export interface UsageDay {
  virtualAccountId: string;
  tag: string;
  /** UTC midnight, epoch ms. */
  day: number;
  /** The highest in use seen that day. */
  peakInUse: number;
  /** The latest purchased quantity of the day. */
  purchased: number;
  /** The lowest balance (after substitution) of the day. */
  balance: number;
}

export interface UsageSample {
  virtualAccountId: string;
  tag: string;
  at: number;
  inUse: number;
  purchased: number;
  balance: number;
}

export interface UsageHistoryRepository {
  /** Folds a sample into its day's row: peak and lowest balance kept, purchased replaced. */
  record(sample: UsageSample): void;
  /** Days in [fromDay, toDay], oldest first. */
  range(virtualAccountId: string, tag: string, fromDay: number, toDay: number): UsageDay[];
  /** Removes days before `day`; returns how many. */
  pruneBefore(day: number): number;
}

/** Two years of days, as DESIGN §8 / issue 8 keep them. */
export const USAGE_HISTORY_RETENTION_DAYS = 731;

export function utcDay(at: number): number {
  return Math.floor(at / MS_PER_DAY) * MS_PER_DAY;
}
