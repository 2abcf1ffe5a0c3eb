import { randomUUID } from 'node:crypto';
import type { SqliteDatabase } from '../../db/sqlite-connection.js';
import { BENCH_TAG } from './bench-devices.js';

const MS_PER_DAY = 86_400_000;
const PIDS = ['C9300-24UX', 'C9300-48P', 'C9200L-48P-4G', 'ISR4451-X/K9', 'C8300-1N1S-6T', 'N9K-C93180YC-FX'];
const PRODUCT_TAG = 'regid.2017-05.com.cisco.C9300,v1_727af1d9-6c39-4444-b301-863f81445b72';

/** What a bulk row's certificate looks like: copied from a certificate the satellite really issued. */
export interface CertificateTemplate { pem: string; publicKeyDer: Buffer }

type Row = Record<string, string | number | Buffer | null>;

/**
 * Realistic product-instance rows inserted with plain SQL (a REGISTER each would take hours at 1M): an
 * instance, its ID certificate (the template's PEM and key, so rows are the size real ones are) and one
 * entitlement of the bench tag, spread round-robin over the virtual accounts. Columns are read from the
 * schema, so a migration that adds a defaulted column or drops one (say, the stored PEM) keeps this working.
 */
export class BulkFleetWriter {
  readonly #db: SqliteDatabase;
  readonly #vaIds: readonly string[];
  readonly #now: number;
  readonly #template: CertificateTemplate;
  readonly #insertInstance;
  readonly #insertCertificate;
  readonly #insertEntitlement;
  readonly #perVa: number[];

  constructor(db: SqliteDatabase, vaIds: readonly string[], now: number, template: CertificateTemplate) {
    this.#db = db;
    this.#vaIds = vaIds;
    this.#now = now;
    this.#template = template;
    this.#perVa = vaIds.map(() => 0);
    this.#insertInstance = insertFor(db, 'product_instances');
    this.#insertCertificate = insertFor(db, 'id_certificates');
    this.#insertEntitlement = insertFor(db, 'instance_entitlements');
  }

  /** Rows number `from` .. `from + count - 1`, in one transaction. */
  insert(from: number, count: number): void {
    this.#db.transaction(() => {
      for (let i = from; i < from + count; i += 1) this.#insertOne(i);
    }).immediate();
  }

  /** Seats each virtual account's bulk rows hold, for its pool_usage row. */
  seatsPerVa(): ReadonlyArray<{ vaId: string; seats: number }> {
    return this.#vaIds.map((vaId, k) => ({ vaId, seats: this.#perVa[k] ?? 0 }));
  }

  #insertOne(i: number): void {
    const vaIndex = i % this.#vaIds.length;
    const vaId = this.#vaIds[vaIndex] ?? '';
    this.#perVa[vaIndex] = (this.#perVa[vaIndex] ?? 0) + 1;
    const id = randomUUID();
    const serial = `f${(0x10000000 + i).toString(16)}`;
    // A fleet reporting every 15 minutes: registered over the last ~6 months, last heard within the last day.
    const registeredAt = this.#now - ((i * 7919) % (170 * MS_PER_DAY));
    const lastContactAt = this.#now - ((i * 104_729) % MS_PER_DAY);
    this.#insertInstance({
      id, va_id: vaId, udi_pid: PIDS[i % PIDS.length] ?? 'C9300-24UX', udi_serial_number: `FLT${i.toString(36).toUpperCase().padStart(7, '0')}`,
      udi_vid: 'V01', host_identifier: null, product_tag: PRODUCT_TAG, hostname: `sw-${i}.site-${i % 997}.example.net`,
      ip_address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, token_id: null, export_control_allowed: 0,
      registration_state: 'REGISTERED', authorization_state: 'AUTHORIZED', registered_at: registeredAt, last_contact_at: lastContactAt,
      authorized_at: lastContactAt, authorization_expires_at: lastContactAt + 90 * MS_PER_DAY, short_report_streak: 0,
      current_cert_serial: serial, kind: 'DEVICE',
    });
    this.#insertCertificate({
      serial, instance_id: id, key_algorithm: 'ES256', public_key_der: this.#template.publicKeyDer, pem: this.#template.pem,
      not_before: registeredAt, not_after: registeredAt + 365 * MS_PER_DAY, issued_at: registeredAt, revoked_at: null,
    });
    this.#insertEntitlement({
      instance_id: id, tag: BENCH_TAG, requested: 1, authorized: 1, status: 'AUTHORIZED', updated_at: lastContactAt,
    });
  }
}

/** An INSERT of the given values restricted to the columns the table has now; unknown keys are dropped. */
function insertFor(db: SqliteDatabase, table: string): (row: Row) => void {
  const columns = new Set((db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{ name: string }>).map((c) => c.name));
  let statement: { run(...values: unknown[]): unknown } | null = null;
  let keys: string[] = [];
  return (row) => {
    if (!statement) {
      keys = Object.keys(row).filter((k) => columns.has(k));
      statement = db.prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`);
    }
    statement.run(...keys.map((k) => row[k] ?? null));
  };
}

/** The length of a signed AUTHORIZE answer of one tag (the bench measures 822 bytes). */
const ANSWER_BYTES = 830;
const REPORT_INTERVAL_MS = 15 * 60_000;

/**
 * A fleet in its steady state has answered each registered instance before: every one holds a replay record
 * (db migration 0016) with its last answer and last 8 nonces, at the interval before its last contact. Written
 * for every registered instance that has none yet (bulk rows and the real devices alike), so a bench's
 * AUTHORIZE updates a record as in production rather than creating it, and the file is the size it would be.
 */
export function insertReplayRecords(db: SqliteDatabase, rowsPerTransaction = 100_000): number {
  const nonces = Array.from({ length: 8 }, (_, k) =>
    `json_array(last_contact_at - ${(7 - k) * REPORT_INTERVAL_MS}, lower(hex(randomblob(12))))`).join(', ');
  const insert = db.prepare<{ from: number; to: number; answer: string }>(`INSERT INTO instance_replay (instance_id, message_id,
      request_digest, response, answered_at, nonces, nonce_watermark, messages_answered)
    SELECT id, lower(hex(randomblob(16))), lower(hex(randomblob(32))), @answer, last_contact_at, json_array(${nonces}),
      last_contact_at - ${8 * REPORT_INTERVAL_MS}, 1 + rowid % 96
    FROM product_instances
    WHERE rowid >= @from AND rowid < @to AND kind = 'DEVICE' AND registration_state = 'REGISTERED'
      AND NOT EXISTS (SELECT 1 FROM instance_replay r WHERE r.instance_id = product_instances.id)`);
  const last = (db.prepare('SELECT MAX(rowid) AS r FROM product_instances').get() as { r: number | null }).r ?? 0;
  const answer = 'x'.repeat(ANSWER_BYTES);
  let inserted = 0;
  for (let from = 0; from <= last; from += rowsPerTransaction) {
    inserted += db.transaction(() => insert.run({ from, to: from + rowsPerTransaction, answer }).changes).immediate();
  }
  return inserted;
}
