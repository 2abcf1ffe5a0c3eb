import type { LicenseLine, LicenseType } from '../../licensing/licenses/license-line.js';
import type { PoolUsage } from '../../licensing/licenses/license-pool.js';
import type { LicenseConsumer, LicenseRepository } from '../../licensing/licenses/license-repository.js';
import type { LicenseTransfer } from '../../licensing/licenses/license-transfer.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface LineRow {
  id: string; va_id: string; tag: string; display_name: string; description: string; quantity: number;
  license_type: string; starts_at: number; ends_at: number | null; substitution_ladder: string;
  substitution_level: number | null; origin: string; created_at: number; transfer_id: string | null;
  source_line_id: string | null;
}
interface TransferRow {
  id: string; account_id: string; tag: string; from_va_id: string; to_va_id: string; quantity: number;
  created_at: number; created_by: string;
}
interface ConsumerRow {
  id: string; hostname: string | null; udi_pid: string; udi_serial_number: string; authorization_state: string; requested: number;
  status: string; updated_at: number;
}
interface UsageRow { tag: string; authorized: number; requested: number; reserved: number }

const toLine = (row: LineRow): LicenseLine => ({
  id: row.id,
  virtualAccountId: row.va_id,
  tag: row.tag,
  displayName: row.display_name,
  description: row.description,
  quantity: row.quantity,
  licenseType: row.license_type as LicenseType,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  substitutionLadder: JSON.parse(row.substitution_ladder) as string[],
  substitutionLevel: row.substitution_level,
  origin: row.origin === 'upstream' || row.origin === 'transfer' ? row.origin : 'local',
  createdAt: row.created_at,
  ...(row.transfer_id !== null && row.source_line_id !== null
    ? { transfer: { transferId: row.transfer_id, sourceLineId: row.source_line_id } } : {}),
});

const toTransfer = (row: TransferRow): LicenseTransfer => ({
  id: row.id,
  accountId: row.account_id,
  tag: row.tag,
  fromVirtualAccountId: row.from_va_id,
  toVirtualAccountId: row.to_va_id,
  quantity: row.quantity,
  createdAt: row.created_at,
  createdBy: row.created_by,
});

const ZERO: PoolUsage = { authorized: 0, requested: 0, reserved: 0 };
/** Pools (VA × tag) whose lines one connection keeps; past it the cache starts again. */
const MAX_CACHED_POOLS = 10_000;

export class SqliteLicenseRepository implements LicenseRepository {
  readonly #insert;
  readonly #findLine;
  readonly #updateLocal;
  readonly #consumers;
  readonly #linesOfVa;
  readonly #linesOfTag;
  readonly #purchased;
  readonly #hasTag;
  readonly #usage;
  readonly #addUsage;
  readonly #usageOfVa;
  readonly #insertTransfer;
  readonly #transfersOfAccount;
  readonly #linesRevision;
  /**
   * A pool's lines by VA and tag, as of `revision`: every AUTHORIZE reads its pools' lines, which change only
   * when a line is written (triggers of migration 0018 give license_lines.revision a new random value then, in
   * the writing transaction, so a value never returns after a rollback). Frozen: callers share them.
   */
  #linesCache: { revision: string; byPool: Map<string, readonly LicenseLine[]> } = { revision: '', byPool: new Map() };

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare(`INSERT INTO license_lines (id, va_id, tag, display_name, description, quantity,
      license_type, starts_at, ends_at, substitution_ladder, substitution_level, origin, created_at, transfer_id,
      source_line_id)
      VALUES (@id, @va_id, @tag, @display_name, @description, @quantity, @license_type, @starts_at, @ends_at,
      @substitution_ladder, @substitution_level, @origin, @created_at, @transfer_id, @source_line_id)`);
    this.#findLine = db.prepare<[string], LineRow>('SELECT * FROM license_lines WHERE id = ?');
    this.#updateLocal = db.prepare(`UPDATE license_lines SET display_name = @display_name, description = @description,
      quantity = @quantity, license_type = @license_type, starts_at = @starts_at, ends_at = @ends_at WHERE id = @id AND origin = 'local'`);
    // Walks the tag's consumers largest first (migration 0014) and stops at the limit, instead of joining and
    // sorting every consumer of the VA (1.4 s of CPU at a million instances).
    this.#consumers = db.prepare<[string, string, number], ConsumerRow>(`SELECT pi.id, pi.hostname, pi.udi_pid, pi.udi_serial_number,
        pi.authorization_state, e.requested, e.status, e.updated_at
      FROM instance_entitlements e INDEXED BY instance_entitlements_top_consumers JOIN product_instances pi ON pi.id = e.instance_id
      WHERE pi.va_id = ? AND e.tag = ? AND pi.registration_state = 'REGISTERED' AND e.requested > 0
      ORDER BY e.requested DESC, e.instance_id LIMIT ?`);
    this.#linesOfVa = db.prepare<[string], LineRow>(
      'SELECT * FROM license_lines WHERE va_id = ? ORDER BY tag, starts_at, created_at, rowid',
    );
    this.#linesOfTag = db.prepare<[string, string], LineRow>(
      'SELECT * FROM license_lines WHERE va_id = ? AND tag = ? ORDER BY starts_at',
    );
    this.#linesRevision = db.prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'license_lines.revision'");
    this.#purchased = db.prepare<[string, string, number, number], { total: number }>(
      `SELECT COALESCE(SUM(quantity), 0) AS total FROM license_lines
       WHERE va_id = ? AND tag = ? AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?)`,
    );
    this.#hasTag = db.prepare<[string, string], { found: number }>(
      'SELECT 1 AS found FROM license_lines WHERE va_id = ? AND tag = ? LIMIT 1',
    );
    this.#usage = db.prepare<[string, string], UsageRow>(
      'SELECT tag, authorized, requested, reserved FROM pool_usage WHERE va_id = ? AND tag = ?',
    );
    // CHECK constraints apply to the VALUES row before the conflict is resolved, so a release (negative
    // delta) must not put negatives there; a release always finds its row in practice.
    this.#addUsage = db.prepare(`INSERT INTO pool_usage (va_id, tag, authorized, requested, reserved)
      VALUES (@va, @tag, MAX(@authorized, 0), MAX(@requested, 0), MAX(@reserved, 0))
      ON CONFLICT (va_id, tag) DO UPDATE SET authorized = authorized + @authorized,
        requested = requested + @requested, reserved = reserved + @reserved`);
    this.#usageOfVa = db.prepare<[string], UsageRow>(
      'SELECT tag, authorized, requested, reserved FROM pool_usage WHERE va_id = ? ORDER BY tag',
    );
    this.#insertTransfer = db.prepare(`INSERT INTO license_transfers (id, account_id, tag, from_va_id, to_va_id, quantity,
      created_at, created_by) VALUES (@id, @account_id, @tag, @from_va_id, @to_va_id, @quantity, @created_at, @created_by)`);
    // LIMIT -1 is SQLite for "no limit", which is what the API's limit -1 means too. rowid breaks ties of
    // the same millisecond in insertion order.
    this.#transfersOfAccount = db.prepare<[string, number, number], TransferRow>(
      'SELECT * FROM license_transfers WHERE account_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?',
    );
  }

  insertLine(line: LicenseLine): void {
    this.#insert.run({
      id: line.id,
      va_id: line.virtualAccountId,
      tag: line.tag,
      display_name: line.displayName,
      description: line.description,
      quantity: line.quantity,
      license_type: line.licenseType,
      starts_at: line.startsAt,
      ends_at: line.endsAt,
      substitution_ladder: JSON.stringify(line.substitutionLadder),
      substitution_level: line.substitutionLevel,
      origin: line.origin,
      created_at: line.createdAt,
      transfer_id: line.transfer?.transferId ?? null,
      source_line_id: line.transfer?.sourceLineId ?? null,
    });
  }

  findLine(id: string): LicenseLine | undefined {
    const row = this.#findLine.get(id);
    return row ? toLine(row) : undefined;
  }

  updateLocalLine(line: LicenseLine): void {
    this.#updateLocal.run({
      id: line.id, display_name: line.displayName, description: line.description, quantity: line.quantity,
      license_type: line.licenseType, starts_at: line.startsAt, ends_at: line.endsAt,
    });
  }

  listConsumers(virtualAccountId: string, tag: string, limit: number): LicenseConsumer[] {
    return this.#consumers.all(virtualAccountId, tag, limit).map((r) => ({
      instanceId: r.id, hostname: r.hostname, udiPid: r.udi_pid, udiSerialNumber: r.udi_serial_number,
      authorizationState: r.authorization_state, count: r.requested, status: r.status, reportedAt: r.updated_at,
    }));
  }

  listLines(virtualAccountId: string): LicenseLine[] {
    return this.#linesOfVa.all(virtualAccountId).map(toLine);
  }

  listLinesForTag(virtualAccountId: string, tag: string): LicenseLine[] {
    const revision = this.#linesRevision.get()?.value;
    if (revision === undefined) return this.#linesOfTag.all(virtualAccountId, tag).map(toLine);
    if (this.#linesCache.revision !== revision || this.#linesCache.byPool.size >= MAX_CACHED_POOLS) {
      this.#linesCache = { revision, byPool: new Map() };
    }
    const key = `${virtualAccountId}\u0000${tag}`;
    let lines = this.#linesCache.byPool.get(key);
    if (lines === undefined) {
      lines = this.#linesOfTag.all(virtualAccountId, tag).map((row) => {
        const line = toLine(row);
        Object.freeze(line.substitutionLadder);
        return Object.freeze(line);
      });
      this.#linesCache.byPool.set(key, lines);
    }
    return [...lines];
  }

  purchasedQuantity(virtualAccountId: string, tag: string, now: number): number {
    return this.#purchased.get(virtualAccountId, tag, now, now)?.total ?? 0;
  }

  hasLineForTag(virtualAccountId: string, tag: string): boolean {
    return this.#hasTag.get(virtualAccountId, tag) !== undefined;
  }

  getUsage(virtualAccountId: string, tag: string): PoolUsage {
    const row = this.#usage.get(virtualAccountId, tag);
    return row ? { authorized: row.authorized, requested: row.requested, reserved: row.reserved } : { ...ZERO };
  }

  addUsage(virtualAccountId: string, tag: string, delta: PoolUsage): void {
    if (delta.authorized === 0 && delta.requested === 0 && delta.reserved === 0) return;
    this.#addUsage.run({ va: virtualAccountId, tag, ...delta });
  }

  listUsage(virtualAccountId: string): Array<PoolUsage & { tag: string }> {
    return this.#usageOfVa.all(virtualAccountId);
  }

  insertTransfer(t: LicenseTransfer): void {
    this.#insertTransfer.run({
      id: t.id, account_id: t.accountId, tag: t.tag, from_va_id: t.fromVirtualAccountId, to_va_id: t.toVirtualAccountId,
      quantity: t.quantity, created_at: t.createdAt, created_by: t.createdBy,
    });
  }

  listTransfers(accountId: string, limit: number, offset: number): LicenseTransfer[] {
    return this.#transfersOfAccount.all(accountId, limit, offset).map(toTransfer);
  }
}
