import type { ReportedPoolUsage, ReportedProductInstance, SatelliteReportRepository } from '../../licensing/upstream/satellite-report.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

export class SqliteSatelliteReportRepository implements SatelliteReportRepository {
  readonly #instance;
  readonly #usage;
  readonly #dropUsage;
  readonly #count;

  constructor(db: SqliteDatabase) {
    this.#instance = db.prepare(`INSERT OR REPLACE INTO satellite_product_instances (satellite_id, product_instance_id, account, virtual_account,
      removed, record, reported_sequence, reported_at) VALUES (@satellite_id, @product_instance_id, @account, @virtual_account, @removed, @record,
      @reported_sequence, @reported_at)`);
    this.#usage = db.prepare(`INSERT OR REPLACE INTO satellite_usage (satellite_id, account, virtual_account, tag, authorized, requested, reserved,
      peak, reported_sequence, reported_at) VALUES (@satellite_id, @account, @virtual_account, @tag, @authorized, @requested, @reserved, @peak,
      @reported_sequence, @reported_at)`);
    this.#dropUsage = db.prepare('DELETE FROM satellite_usage WHERE satellite_id = ? AND reported_sequence < ?');
    this.#count = db.prepare<[string], { registered: number | null; removed: number | null }>(`SELECT SUM(removed = 0) AS registered,
      SUM(removed = 1) AS removed FROM satellite_product_instances WHERE satellite_id = ?`);
  }

  upsertInstance(satelliteId: string, sequence: number, at: number, i: ReportedProductInstance): void {
    this.#instance.run({
      satellite_id: satelliteId, product_instance_id: i.productInstanceId, account: i.account, virtual_account: i.virtualAccount,
      removed: i.removed ? 1 : 0, record: i.record, reported_sequence: sequence, reported_at: at,
    });
  }

  upsertUsage(satelliteId: string, sequence: number, at: number, u: ReportedPoolUsage): void {
    this.#usage.run({
      satellite_id: satelliteId, account: u.account, virtual_account: u.virtualAccount, tag: u.tag, authorized: u.authorized,
      requested: u.requested, reserved: u.reserved, peak: u.peak, reported_sequence: sequence, reported_at: at,
    });
  }

  dropUsageBefore(satelliteId: string, sequence: number): void {
    this.#dropUsage.run(satelliteId, sequence);
  }

  countInstances(satelliteId: string): { registered: number; removed: number } {
    const row = this.#count.get(satelliteId);
    return { registered: row?.registered ?? 0, removed: row?.removed ?? 0 };
  }
}
