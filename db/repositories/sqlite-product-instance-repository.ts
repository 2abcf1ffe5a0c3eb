import type {
  AuthorizationState, CertificateKey, EntitlementStatus, InstanceEntitlement, InstanceStamp, KeyAlgorithm, ProductInstance,
  RegistrationState,
} from '../../licensing/instances/product-instance.js';
import type { ProductInstanceRepository } from '../../licensing/instances/product-instance-repository.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

export interface InstanceRow {
  id: string; va_id: string; udi_pid: string; udi_serial_number: string; udi_vid: string | null;
  host_identifier: string | null; product_tag: string; hostname: string | null; ip_address: string | null;
  token_id: string | null; export_control_allowed: number; registration_state: string; authorization_state: string;
  registered_at: number; last_contact_at: number; authorized_at: number | null; authorization_expires_at: number | null;
  short_report_streak: number; current_cert_serial: string | null; kind?: string; revision?: number;
  current_cert_not_after?: number | null; current_cert_key_algorithm?: string | null; current_cert_public_key_der?: Buffer | null;
  current_cert_revoked_at?: number | null;
}
interface EntitlementRow { tag: string; requested: number; authorized: number; status: string; updated_at: number }

export const toInstance = (row: InstanceRow): ProductInstance => ({
  id: row.id,
  virtualAccountId: row.va_id,
  udi: { pid: row.udi_pid, serialNumber: row.udi_serial_number, vid: row.udi_vid, hostIdentifier: row.host_identifier },
  productTag: row.product_tag,
  hostname: row.hostname,
  ipAddress: row.ip_address,
  tokenId: row.token_id,
  exportControlAllowed: row.export_control_allowed === 1,
  registrationState: row.registration_state as RegistrationState,
  authorizationState: row.authorization_state as AuthorizationState,
  registeredAt: row.registered_at,
  lastContactAt: row.last_contact_at,
  authorizedAt: row.authorized_at,
  authorizationExpiresAt: row.authorization_expires_at,
  shortReportStreak: row.short_report_streak,
  currentCertificateSerial: row.current_cert_serial,
  kind: row.kind === 'RESERVED' ? 'RESERVED' : 'DEVICE',
  ...(row.revision === undefined ? {} : { revision: row.revision }),
  ...currentCertificateOf(row),
});

/** The copy of the current certificate's key on the row (migration 0018), when the row has one. */
function currentCertificateOf(row: InstanceRow): { currentCertificate?: CertificateKey } {
  const { current_cert_serial: serial, current_cert_public_key_der: key, current_cert_key_algorithm: algorithm } = row;
  if (!serial || !key || !algorithm || row.current_cert_not_after == null) return {};
  return {
    currentCertificate: {
      serial, productInstanceId: row.id, keyAlgorithm: algorithm as KeyAlgorithm, publicKeyDer: key,
      notAfter: row.current_cert_not_after, revokedAt: row.current_cert_revoked_at ?? null,
    },
  };
}

const toParams = (pi: ProductInstance) => ({
  id: pi.id,
  va_id: pi.virtualAccountId,
  udi_pid: pi.udi.pid,
  udi_serial_number: pi.udi.serialNumber,
  udi_vid: pi.udi.vid,
  host_identifier: pi.udi.hostIdentifier,
  product_tag: pi.productTag,
  hostname: pi.hostname,
  ip_address: pi.ipAddress,
  token_id: pi.tokenId,
  export_control_allowed: pi.exportControlAllowed ? 1 : 0,
  registration_state: pi.registrationState,
  authorization_state: pi.authorizationState,
  registered_at: pi.registeredAt,
  last_contact_at: pi.lastContactAt,
  authorized_at: pi.authorizedAt,
  authorization_expires_at: pi.authorizationExpiresAt,
  short_report_streak: pi.shortReportStreak,
  current_cert_serial: pi.currentCertificateSerial,
});

const COLUMNS: ReadonlyArray<keyof ReturnType<typeof toParams>> = [
  'id', 'va_id', 'udi_pid', 'udi_serial_number', 'udi_vid', 'host_identifier', 'product_tag', 'hostname', 'ip_address',
  'token_id', 'export_control_allowed', 'registration_state', 'authorization_state', 'registered_at', 'last_contact_at',
  'authorized_at', 'authorization_expires_at', 'short_report_streak', 'current_cert_serial',
];

/**
 * A ProductInstance's columns with a table alias, for queries returning many rows (lists, exports, sweeps): not the
 * copy of the current certificate's key (migration 0018), which only the device path reads (findById).
 */
export const instanceColumns = (alias: string): string => [...COLUMNS, 'kind', 'revision'].map((c) => `${alias}.${c}`).join(', ');

export class SqliteProductInstanceRepository implements ProductInstanceRepository {
  readonly #insert;
  readonly #update;
  readonly #recordAuthorization;
  readonly #byId;
  readonly #byUdi;
  readonly #touch;
  readonly #stamp;
  readonly #countRegistered;
  readonly #entitlements;
  readonly #upsertEntitlement;
  readonly #deleteEntitlements;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare(
      `INSERT INTO product_instances (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    this.#update = db.prepare(
      `UPDATE product_instances SET ${COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`,
    );
    // Positional, and only these columns: an UPDATE naming indexed columns rewrites their index entries. The
    // device path's updates count their own revision, so the revision trigger (migration 0018) has nothing to do.
    this.#recordAuthorization = db.prepare(`UPDATE product_instances SET authorization_state = ?, short_report_streak = ?,
      last_contact_at = ?, authorized_at = ?, authorization_expires_at = ?, revision = revision + 1 WHERE id = ?`);
    this.#byId = db.prepare<[string], InstanceRow>('SELECT * FROM product_instances WHERE id = ?');
    this.#byUdi = db.prepare<[string, string], InstanceRow>(
      `SELECT * FROM product_instances WHERE udi_pid = ? AND udi_serial_number = ? AND registration_state = 'REGISTERED'`,
    );
    this.#touch = db.prepare('UPDATE product_instances SET last_contact_at = ?, revision = revision + 1 WHERE id = ?');
    this.#stamp = db.prepare<[string], { revision: number; messages_answered: number | null }>(`SELECT pi.revision, r.messages_answered
      FROM product_instances pi LEFT JOIN instance_replay r ON r.instance_id = pi.id WHERE pi.id = ?`);
    this.#countRegistered = db.prepare<[], { n: number }>(
      `SELECT COUNT(*) AS n FROM product_instances WHERE registration_state = 'REGISTERED'`,
    );
    this.#entitlements = db.prepare<[string], EntitlementRow>(
      'SELECT tag, requested, authorized, status, updated_at FROM instance_entitlements WHERE instance_id = ? ORDER BY tag',
    );
    this.#upsertEntitlement = db.prepare(`INSERT INTO instance_entitlements (instance_id, tag, requested, authorized, status, updated_at)
      VALUES (@instance_id, @tag, @requested, @authorized, @status, @updated_at)
      ON CONFLICT (instance_id, tag) DO UPDATE SET requested = @requested, authorized = @authorized,
        status = @status, updated_at = @updated_at`);
    this.#deleteEntitlements = db.prepare('DELETE FROM instance_entitlements WHERE instance_id = ?');
  }

  insert(instance: ProductInstance): void {
    this.#insert.run(toParams(instance));
  }

  update(instance: ProductInstance): void {
    this.#update.run(toParams(instance));
  }

  recordAuthorization(pi: ProductInstance): void {
    this.#recordAuthorization.run(pi.authorizationState, pi.shortReportStreak, pi.lastContactAt, pi.authorizedAt,
      pi.authorizationExpiresAt, pi.id);
  }

  findById(id: string): ProductInstance | undefined {
    const row = this.#byId.get(id);
    return row ? toInstance(row) : undefined;
  }

  findRegisteredByUdi(pid: string, serialNumber: string): ProductInstance | undefined {
    const row = this.#byUdi.get(pid, serialNumber);
    return row ? toInstance(row) : undefined;
  }

  touch(id: string, lastContactAt: number): void {
    this.#touch.run(lastContactAt, id);
  }

  stampOf(id: string): InstanceStamp | undefined {
    const row = this.#stamp.get(id);
    return row ? { revision: row.revision, messagesAnswered: row.messages_answered } : undefined;
  }

  countRegistered(): number {
    return this.#countRegistered.get()?.n ?? 0;
  }

  listEntitlements(instanceId: string): InstanceEntitlement[] {
    return this.#entitlements.all(instanceId).map((row) => ({
      tag: row.tag,
      requested: row.requested,
      authorized: row.authorized,
      status: row.status as EntitlementStatus,
      updatedAt: row.updated_at,
    }));
  }

  upsertEntitlement(instanceId: string, e: InstanceEntitlement): void {
    this.#upsertEntitlement.run({
      instance_id: instanceId, tag: e.tag, requested: e.requested, authorized: e.authorized, status: e.status,
      updated_at: e.updatedAt,
    });
  }

  deleteEntitlements(instanceId: string): void {
    this.#deleteEntitlements.run(instanceId);
  }

}
