import type {
  ReportedEventCount, ReportedPoolUsage, ReportedProductInstance, ReportedReservation, ReportedVirtualAccount, ReservedSeats,
  SatelliteReportRepository, SatelliteReportSummary,
} from '../../licensing/upstream/satellite-report.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface VaRow { account: string; name: string; description: string; created_at: number; reported_sequence: number }
interface EventRow { type: string; count: number; first_at: number; last_at: number; reported_sequence: number }

export class SqliteSatelliteReportRepository implements SatelliteReportRepository {
  readonly #instance;
  readonly #usage;
  readonly #va;
  readonly #event;
  readonly #dropUsage;
  readonly #dropVas;
  readonly #dropEvents;
  readonly #markUnlisted;
  readonly #count;
  readonly #countUsage;
  readonly #vas;
  readonly #events;
  readonly #dropSeats;
  readonly #dropReservations;
  readonly #reservation;
  readonly #seat;
  readonly #seats;

  constructor(db: SqliteDatabase) {
    this.#dropSeats = db.prepare('DELETE FROM satellite_reserved_seats WHERE satellite_id = ?');
    this.#dropReservations = db.prepare('DELETE FROM satellite_reservations WHERE satellite_id = ?');
    this.#reservation = db.prepare(`INSERT INTO satellite_reservations (satellite_id, product_instance_id, account, virtual_account, record,
      reported_sequence, reported_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.#seat = db.prepare('INSERT INTO satellite_reserved_seats (satellite_id, product_instance_id, tag, reserved) VALUES (?, ?, ?, ?)');
    this.#seats = db.prepare<[], { account: string; virtual_account: string; tag: string; reserved: number }>(`SELECT r.account,
      r.virtual_account, s.tag, SUM(s.reserved) AS reserved FROM satellite_reserved_seats s
      JOIN satellite_reservations r ON r.satellite_id = s.satellite_id AND r.product_instance_id = s.product_instance_id
      GROUP BY r.account, r.virtual_account, s.tag ORDER BY r.account, r.virtual_account, s.tag`);
    this.#instance = db.prepare(`INSERT OR REPLACE INTO satellite_product_instances (satellite_id, product_instance_id, account, virtual_account,
      removed, record, reported_sequence, reported_at) VALUES (@satellite_id, @product_instance_id, @account, @virtual_account, @removed, @record,
      @reported_sequence, @reported_at)`);
    this.#usage = db.prepare(`INSERT OR REPLACE INTO satellite_usage (satellite_id, account, virtual_account, tag, authorized, requested, reserved,
      peak, reported_sequence, reported_at) VALUES (@satellite_id, @account, @virtual_account, @tag, @authorized, @requested, @reserved, @peak,
      @reported_sequence, @reported_at)`);
    this.#va = db.prepare(`INSERT OR REPLACE INTO satellite_virtual_accounts (satellite_id, account, name, description, created_at,
      reported_sequence, reported_at) VALUES (@satellite_id, @account, @name, @description, @created_at, @reported_sequence, @reported_at)`);
    this.#event = db.prepare(`INSERT OR REPLACE INTO satellite_event_counts (satellite_id, type, count, first_at, last_at, reported_sequence,
      reported_at) VALUES (@satellite_id, @type, @count, @first_at, @last_at, @reported_sequence, @reported_at)`);
    this.#dropUsage = db.prepare('DELETE FROM satellite_usage WHERE satellite_id = ? AND reported_sequence < ?');
    this.#dropVas = db.prepare('DELETE FROM satellite_virtual_accounts WHERE satellite_id = ? AND reported_sequence < ?');
    this.#dropEvents = db.prepare('DELETE FROM satellite_event_counts WHERE satellite_id = ? AND reported_sequence < ?');
    // Walks the satellite's rows by primary key prefix; only a full snapshot (itself O(instances)) runs it.
    this.#markUnlisted = db.prepare(`UPDATE satellite_product_instances SET removed = 1, reported_sequence = @sequence, reported_at = @at
      WHERE satellite_id = @satellite_id AND reported_sequence < @sequence AND removed = 0`);
    this.#count = db.prepare<[string], { registered: number | null; removed: number | null }>(`SELECT SUM(removed = 0) AS registered,
      SUM(removed = 1) AS removed FROM satellite_product_instances WHERE satellite_id = ?`);
    this.#countUsage = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM satellite_usage WHERE satellite_id = ?');
    this.#vas = db.prepare<[string], VaRow>(`SELECT account, name, description, created_at, reported_sequence FROM satellite_virtual_accounts
      WHERE satellite_id = ? ORDER BY account, name`);
    this.#events = db.prepare<[string], EventRow>(`SELECT type, count, first_at, last_at, reported_sequence FROM satellite_event_counts
      WHERE satellite_id = ? ORDER BY type`);
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

  upsertVirtualAccount(satelliteId: string, sequence: number, at: number, va: ReportedVirtualAccount): void {
    this.#va.run({
      satellite_id: satelliteId, account: va.account, name: va.name, description: va.description, created_at: va.createdAt,
      reported_sequence: sequence, reported_at: at,
    });
  }

  upsertEventCount(satelliteId: string, sequence: number, at: number, e: ReportedEventCount): void {
    this.#event.run({
      satellite_id: satelliteId, type: e.type, count: e.count, first_at: e.firstAt, last_at: e.lastAt, reported_sequence: sequence, reported_at: at,
    });
  }

  dropReportsBefore(satelliteId: string, sequence: number): void {
    for (const drop of [this.#dropUsage, this.#dropVas, this.#dropEvents]) drop.run(satelliteId, sequence);
  }

  markUnlistedInstancesRemoved(satelliteId: string, sequence: number, at: number): void {
    this.#markUnlisted.run({ satellite_id: satelliteId, sequence, at });
  }

  replaceReservations(satelliteId: string, sequence: number, at: number, reservations: readonly ReportedReservation[]): void {
    this.#dropSeats.run(satelliteId);
    this.#dropReservations.run(satelliteId);
    for (const r of reservations) {
      this.#reservation.run(satelliteId, r.productInstanceId, r.account, r.virtualAccount, r.record, sequence, at);
      for (const l of r.licenses) this.#seat.run(satelliteId, r.productInstanceId, l.tag, l.reserved);
    }
  }

  reservedSeats(): ReservedSeats[] {
    return this.#seats.all().map((r) => ({ account: r.account, virtualAccount: r.virtual_account, tag: r.tag, reserved: r.reserved }));
  }

  countInstances(satelliteId: string): { registered: number; removed: number } {
    const row = this.#count.get(satelliteId);
    return { registered: row?.registered ?? 0, removed: row?.removed ?? 0 };
  }

  summarize(satelliteId: string): SatelliteReportSummary {
    return {
      instances: this.countInstances(satelliteId),
      usageRows: this.#countUsage.get(satelliteId)?.n ?? 0,
      virtualAccounts: this.#vas.all(satelliteId).map((r) => ({
        account: r.account, name: r.name, description: r.description, createdAt: r.created_at, reportedSequence: r.reported_sequence,
      })),
      eventSummary: this.#events.all(satelliteId).map((r) => ({
        type: r.type, count: r.count, firstAt: r.first_at, lastAt: r.last_at, reportedSequence: r.reported_sequence,
      })),
    };
  }
}
