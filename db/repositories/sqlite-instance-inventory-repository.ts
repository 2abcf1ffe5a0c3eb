import type { InstanceFilter, InstanceInventoryRepository, InstanceQuery, InstanceSort } from '../../licensing/instances/instance-inventory-repository.js';
import { z } from 'zod';
import type { InstanceReservationSummary, InstanceSummary } from '../../licensing/instances/instance-views.js';
import type { SqliteDatabase } from '../sqlite-connection.js';
import { toInstance, type InstanceRow } from './sqlite-product-instance-repository.js';

interface ListRow extends InstanceRow {
  va_name: string; cert_not_after: number | null; reservation_type: string | null; reservation_status: string | null; reserved: string | null;
}

const reservedColumn = z.array(z.object({ tag: z.string(), reserved: z.number().int() }));

function reservationOf(row: ListRow): InstanceReservationSummary | null {
  if (row.reservation_type === null || row.reservation_status === null) return null;
  return {
    type: row.reservation_type === 'UNIVERSAL' ? 'UNIVERSAL' : 'SPECIFIC',
    status: row.reservation_status === 'IN_TRANSIT' ? 'IN_TRANSIT' : 'RESERVED',
    licenses: reservedColumn.parse(JSON.parse(row.reserved ?? '[]')),
  };
}

// Optional filters are "(@x IS NULL OR ...)" so one prepared statement serves every combination.
const FROM = `FROM product_instances pi
  JOIN virtual_accounts va ON va.id = pi.va_id
  WHERE va.account_id = @account
    AND (@va IS NULL OR pi.va_id = @va)
    AND (@registration IS NULL OR (pi.kind = 'DEVICE' AND pi.registration_state = @registration)
      OR (pi.kind = 'RESERVED' AND @registration = 'REGISTERED'))
    AND (@authorization IS NULL OR pi.authorization_state = @authorization)
    AND (@pid IS NULL OR pi.udi_pid = @pid COLLATE NOCASE)
    AND (@serial IS NULL OR pi.udi_serial_number = @serial COLLATE NOCASE)
    AND (@contactBefore IS NULL OR pi.last_contact_at < @contactBefore)
    AND (@contactAfter IS NULL OR pi.last_contact_at > @contactAfter)
    AND (@productType IS NULL OR pi.product_tag LIKE @productType ESCAPE '\\' OR pi.udi_pid LIKE @productType ESCAPE '\\')
    AND (@search IS NULL OR pi.hostname LIKE @search ESCAPE '\\' OR pi.ip_address LIKE @search ESCAPE '\\'
      OR pi.udi_pid LIKE @search ESCAPE '\\' OR pi.udi_serial_number LIKE @search ESCAPE '\\' OR pi.id LIKE @search ESCAPE '\\')
    AND (@licenseTag IS NULL OR EXISTS (
      SELECT 1 FROM instance_entitlements e WHERE e.instance_id = pi.id AND e.tag = @licenseTag))`;

const ORDER: Record<InstanceSort, string> = {
  lastContact: 'pi.last_contact_at ASC, pi.id ASC',
  '-lastContact': 'pi.last_contact_at DESC, pi.id ASC',
};

/** LIKE is case-insensitive for ASCII in SQLite; % and _ typed by a user are literal characters here. */
const contains = (text: string | undefined): string | null =>
  text === undefined ? null : `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const filterParams = (f: InstanceFilter) => ({
  account: f.accountId, va: f.virtualAccountId ?? null, registration: f.registrationState ?? null,
  authorization: f.authorizationState ?? null, pid: f.pid ?? null, serial: f.serialNumber ?? null,
  contactBefore: f.lastContactBefore ?? null, contactAfter: f.lastContactAfter ?? null,
  productType: contains(f.productType), search: contains(f.search), licenseTag: f.licenseTag ?? null,
});

const prepareList = (db: SqliteDatabase, sort: InstanceSort) => db.prepare<Record<string, unknown>, ListRow>(
  `SELECT pi.*, va.name AS va_name,
     (SELECT c.not_after FROM id_certificates c WHERE c.serial = pi.current_cert_serial) AS cert_not_after,
     r.reservation_type, r.status AS reservation_status,
     (SELECT json_group_array(json_object('tag', rl.tag, 'reserved', MAX(rl.quantity, COALESCE(rl.pending_quantity, 0))))
        FROM reservation_licenses rl WHERE rl.instance_id = pi.id) AS reserved
   ${FROM.replace('WHERE va.account_id', 'LEFT JOIN reservations r ON r.instance_id = pi.id\n  WHERE va.account_id')} ORDER BY ${ORDER[sort]} LIMIT @limit OFFSET @offset`,
);

export class SqliteInstanceInventoryRepository implements InstanceInventoryRepository {
  readonly #list: Record<InstanceSort, ReturnType<typeof prepareList>>;
  readonly #count;

  constructor(db: SqliteDatabase) {
    this.#list = { lastContact: prepareList(db, 'lastContact'), '-lastContact': prepareList(db, '-lastContact') };
    this.#count = db.prepare<Record<string, unknown>, { n: number }>(`SELECT COUNT(*) AS n ${FROM}`);
  }

  list(query: InstanceQuery): InstanceSummary[] {
    const rows = this.#list[query.sort].all({ ...filterParams(query), limit: query.limit, offset: query.offset });
    return rows.map((row) => ({
      instance: toInstance(row), virtualAccountName: row.va_name, certificateNotAfter: row.cert_not_after, reservation: reservationOf(row),
    }));
  }

  count(filter: InstanceFilter): number {
    return this.#count.get(filterParams(filter))?.n ?? 0;
  }
}
