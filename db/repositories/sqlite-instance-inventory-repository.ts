import type {
  InstanceFilter, InstanceInventoryRepository, InstanceKey, InstanceQuery, InstanceSort,
} from '../../licensing/instances/instance-inventory-repository.js';
import { z } from 'zod';
import type { InstanceExportRow, InstanceReservationSummary, InstanceSummary } from '../../licensing/instances/instance-views.js';
import type { SqliteDatabase } from '../sqlite-connection.js';
import { instanceColumns, toInstance, type InstanceRow } from './sqlite-product-instance-repository.js';
import {
  afterTerm, COUNT_DRIVERS, endTerm, ID_ONLY, keyParams, order, params, PROBES, selectiveTerm, shapeOf, sortIndex, whereTerms,
} from './sqlite-instance-filter-sql.js';

interface ListRow extends InstanceRow {
  va_name: string; cert_not_after: number | null; reservation_type: string | null; reservation_status: string | null; reserved: string | null;
}
type Statement<R> = ReturnType<SqliteDatabase['prepare']> & { all(params: Record<string, unknown>): R[]; get(params: Record<string, unknown>): R | undefined };

const reservedColumn = z.array(z.object({ tag: z.string(), reserved: z.number().int() }));

function reservationOf(row: ListRow): InstanceReservationSummary | null {
  if (row.reservation_type === null || row.reservation_status === null) return null;
  return {
    type: row.reservation_type === 'UNIVERSAL' ? 'UNIVERSAL' : 'SPECIFIC',
    status: row.reservation_status === 'IN_TRANSIT' ? 'IN_TRANSIT' : 'RESERVED',
    licenses: reservedColumn.parse(JSON.parse(row.reserved ?? '[]')),
  };
}

const SUMMARY_COLUMNS = `${instanceColumns('pi')}, va.name AS va_name,
  pi.current_cert_not_after AS cert_not_after,
  r.reservation_type, r.status AS reservation_status,
  (SELECT json_group_array(json_object('tag', rl.tag, 'reserved', MAX(rl.quantity, COALESCE(rl.pending_quantity, 0))))
     FROM reservation_licenses rl WHERE rl.instance_id = pi.id) AS reserved`;
const SUMMARY_JOINS = 'JOIN virtual_accounts va ON va.id = pi.va_id LEFT JOIN reservations r ON r.instance_id = pi.id';

/** What a statement reads per row: a list's summary (objects), or an export's cells in InstanceExportRow's order (raw arrays). */
interface Projection { name: string; columns: string; joins: string; raw: boolean }
const SUMMARY: Projection = { name: 'summary', columns: SUMMARY_COLUMNS, joins: SUMMARY_JOINS, raw: false };
const EXPORT: Projection = {
  name: 'export', raw: true, joins: 'JOIN virtual_accounts va ON va.id = pi.va_id',
  columns: `pi.id, pi.hostname, pi.ip_address, pi.udi_pid, pi.udi_serial_number, pi.udi_vid, pi.host_identifier, pi.product_tag,
    va.name, pi.registration_state, pi.authorization_state, pi.registered_at, pi.last_contact_at, pi.authorized_at,
    pi.authorization_expires_at, pi.current_cert_serial, pi.current_cert_not_after`,
};

export class SqliteInstanceInventoryRepository implements InstanceInventoryRepository {
  readonly #db: SqliteDatabase;
  // Statements are built once per filter shape and kept: a few dozen shapes in practice.
  readonly #statements = new Map<string, Statement<unknown>>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  indexOnly(f: InstanceFilter): boolean {
    return f.serialNumber === undefined && f.pid === undefined && f.productType === undefined && f.search === undefined && f.licenseTag === undefined;
  }

  selectiveMatches(f: InstanceFilter, cap: number): number | null {
    const which = selectiveTerm(f);
    if (which === undefined) return null;
    const sql = `SELECT COUNT(*) AS n FROM (${PROBES[which]} LIMIT @cap)`;
    const all = params(f, { cap: cap + 1 });
    const used = Object.fromEntries(Object.entries(all).filter(([k]) => sql.includes(`@${k}`)));
    return this.#statement<{ n: number }>(`probe:${which}`, sql).get(used)?.n ?? 0;
  }

  listSelective(q: InstanceQuery): InstanceSummary[] {
    return this.#selectiveRows<ListRow>(q, SUMMARY).map(toSummary);
  }

  exportSelective(q: InstanceQuery): InstanceExportRow[] {
    return this.#selectiveRows<InstanceExportRow>(q, EXPORT);
  }

  countSelective(f: InstanceFilter): number {
    const sql = `SELECT COUNT(*) AS n FROM product_instances pi WHERE ${whereTerms(f, 'selective').join(' AND ')}`;
    return this.#statement<{ n: number }>(`cs:${shapeOf(f)}`, sql).get(params(f))?.n ?? 0;
  }

  countThrough(f: InstanceFilter, cap: number): number | null {
    const which = selectiveTerm(f);
    const driver = which === undefined ? undefined : COUNT_DRIVERS[which];
    if (driver === undefined) return null;
    const terms = [driver.on, ...whereTerms(f, 'driven')];
    const sql = `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${driver.from} WHERE ${terms.join(' AND ')} LIMIT @cap)`;
    let n = this.#statement<{ n: number }>(`ct:${shapeOf(f)}`, sql).get(params(f, { cap }))?.n ?? 0;
    if (which === 'contains' && n < cap) {
      const idSql = `SELECT COUNT(*) AS n FROM (SELECT 1 FROM product_instances pi WHERE ${[ID_ONLY, ...whereTerms(f, 'driven')].join(' AND ')} LIMIT @cap)`;
      n += this.#statement<{ n: number }>(`ci:${shapeOf(f)}`, idSql).get(params(f, { cap: cap - n }))?.n ?? 0;
    }
    return n;
  }

  windowEnd(f: InstanceFilter, sort: InstanceSort, after: InstanceKey | undefined, size: number): InstanceKey | null {
    const scope = whereTerms({ accountId: f.accountId, virtualAccountId: f.virtualAccountId }, 'walk');
    if (after) scope.push(afterTerm(sort));
    const sql = `SELECT pi.last_contact_at AS lastContactAt, pi.id AS id FROM product_instances pi INDEXED BY ${sortIndex(f)}
      WHERE ${scope.join(' AND ')} ORDER BY ${order(sort)} LIMIT 1 OFFSET @skip`;
    const scopeParams = params({ accountId: f.accountId, virtualAccountId: f.virtualAccountId }, { skip: size - 1, ...keyParams('after', after) });
    const row = this.#statement<InstanceKey>(`we:${sort}:${after !== undefined}`, sql).get(scopeParams);
    return row ?? null;
  }

  listWindow(q: InstanceQuery, end: InstanceKey | null): InstanceSummary[] {
    return this.#windowRows<ListRow>(q, end, SUMMARY).map(toSummary);
  }

  exportWindow(q: InstanceQuery, end: InstanceKey | null): InstanceExportRow[] {
    return this.#windowRows<InstanceExportRow>(q, end, EXPORT);
  }

  countWindow(f: InstanceFilter, sort: InstanceSort, after: InstanceKey | undefined, end: InstanceKey | null, cap: number): number {
    const terms = this.#windowTerms(f, sort, after, end);
    const sql = `SELECT COUNT(*) AS n FROM (SELECT 1 FROM product_instances pi INDEXED BY ${sortIndex(f)}
      WHERE ${terms.join(' AND ')} LIMIT @cap)`;
    return this.#statement<{ n: number }>(`cw:${shapeOf(f)}:${sort}:${after !== undefined}:${end !== null}`, sql)
      .get(params(f, { cap, ...keyParams('after', after), ...keyParams('end', end) }))?.n ?? 0;
  }

  #windowTerms(f: InstanceFilter, sort: InstanceSort, after: InstanceKey | undefined, end: InstanceKey | null): string[] {
    const terms = whereTerms(f, 'walk');
    if (after) terms.push(afterTerm(sort));
    if (end) terms.push(endTerm(sort));
    return terms;
  }

  #selectiveRows<R>(q: InstanceQuery, p: Projection): R[] {
    const terms = whereTerms(q, 'selective');
    if (q.after) terms.push(afterTerm(q.sort, '+'));
    const sql = `SELECT ${p.columns} FROM product_instances pi ${p.joins} WHERE ${terms.join(' AND ')}
      ORDER BY ${order(q.sort, '+')} LIMIT @limit OFFSET @offset`;
    return this.#statement<R>(`ls:${p.name}:${shapeOf(q)}:${q.sort}:${q.after !== undefined}`, sql, p.raw)
      .all(params(q, { limit: q.limit, offset: q.offset, ...keyParams('after', q.after) }));
  }

  #windowRows<R>(q: InstanceQuery, end: InstanceKey | null, p: Projection): R[] {
    const terms = this.#windowTerms(q, q.sort, q.after, end);
    const sql = `SELECT ${p.columns} FROM product_instances pi INDEXED BY ${sortIndex(q)} ${p.joins}
      WHERE ${terms.join(' AND ')} ORDER BY ${order(q.sort)} LIMIT @limit OFFSET @offset`;
    return this.#statement<R>(`lw:${p.name}:${shapeOf(q)}:${q.sort}:${q.after !== undefined}:${end !== null}`, sql, p.raw)
      .all(params(q, { limit: q.limit, offset: q.offset, ...keyParams('after', q.after), ...keyParams('end', end) }));
  }

  /** A raw statement answers each row as an array of its columns, in SELECT order. */
  #statement<R>(key: string, sql: string, raw = false): Statement<R> {
    let statement = this.#statements.get(key);
    if (!statement) {
      statement = this.#db.prepare(sql) as Statement<unknown>;
      if (raw) statement.raw(true);
      this.#statements.set(key, statement);
    }
    return statement as Statement<R>;
  }
}

function toSummary(row: ListRow): InstanceSummary {
  return { instance: toInstance(row), virtualAccountName: row.va_name, certificateNotAfter: row.cert_not_after, reservation: reservationOf(row) };
}
