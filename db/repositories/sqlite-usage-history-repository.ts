import { utcDay, type UsageDay, type UsageHistoryRepository, type UsageSample } from '../../licensing/licenses/usage-history.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface DayRow { va_id: string; tag: string; day: number; peak_in_use: number; purchased: number; balance: number }

export class SqliteUsageHistoryRepository implements UsageHistoryRepository {
  readonly #record;
  readonly #range;
  readonly #prune;

  constructor(db: SqliteDatabase) {
    this.#record = db.prepare(`INSERT INTO pool_usage_days (va_id, tag, day, peak_in_use, purchased, balance, updated_at)
      VALUES (@va, @tag, @day, @in_use, @purchased, @balance, @at)
      ON CONFLICT (va_id, tag, day) DO UPDATE SET peak_in_use = MAX(peak_in_use, @in_use), purchased = @purchased,
        balance = MIN(balance, @balance), updated_at = @at`);
    this.#range = db.prepare<[string, string, number, number], DayRow>(
      'SELECT * FROM pool_usage_days WHERE va_id = ? AND tag = ? AND day >= ? AND day <= ? ORDER BY day',
    );
    this.#prune = db.prepare<[number]>('DELETE FROM pool_usage_days WHERE day < ?');
  }

  record(s: UsageSample): void {
    this.#record.run({ va: s.virtualAccountId, tag: s.tag, day: utcDay(s.at), in_use: s.inUse, purchased: s.purchased, balance: s.balance, at: s.at });
  }

  range(virtualAccountId: string, tag: string, fromDay: number, toDay: number): UsageDay[] {
    return this.#range.all(virtualAccountId, tag, fromDay, toDay).map((r) => ({
      virtualAccountId: r.va_id, tag: r.tag, day: r.day, peakInUse: r.peak_in_use, purchased: r.purchased, balance: r.balance,
    }));
  }

  pruneBefore(day: number): number {
    return this.#prune.run(day).changes;
  }
}
