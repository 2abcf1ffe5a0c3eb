import type { Reservation, ReservationStatus, ReservationType, ReservedLicense } from '../../licensing/reservations/reservation.js';
import type { ReservationRepository } from '../../licensing/reservations/reservation-repository.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface ReservationRow {
  instance_id: string; va_id: string; udi_pid: string; udi_serial_number: string; udi_vid: string | null; host_identifier: string | null;
  request_code: string; reservation_type: string; status: string; authorization_code: string; pending_authorization_code: string | null;
  created_at: number; updated_at: number; confirmed_at: number | null; in_transit_since: number | null; created_by: string;
}
interface LicenseRow { tag: string; quantity: number; pending_quantity: number | null }

// The VID and host id live on the product instance, which every reservation has (RESERVED or DEVICE).
const SELECT = `SELECT r.*, pi.udi_vid, pi.host_identifier FROM reservations r JOIN product_instances pi ON pi.id = r.instance_id`;

export class SqliteReservationRepository implements ReservationRepository {
  readonly #insertInstance;
  readonly #insert;
  readonly #update;
  readonly #insertLicense;
  readonly #deleteLicenses;
  readonly #delete;
  readonly #deleteReservedInstance;
  readonly #byId;
  readonly #byUdi;
  readonly #byVa;
  readonly #inTransit;
  readonly #licenses;
  readonly #enabled;
  readonly #setEnabled;
  readonly #markDevice;

  constructor(db: SqliteDatabase) {
    // UNREGISTERED and without certificate: the registered-UDI index stays free for the device itself.
    this.#insertInstance = db.prepare(`INSERT INTO product_instances (id, va_id, udi_pid, udi_serial_number, udi_vid, host_identifier,
      product_tag, export_control_allowed, registration_state, authorization_state, registered_at, last_contact_at, kind)
      VALUES (@id, @va, @pid, @serial, @vid, @host, @tag, 0, 'UNREGISTERED', 'AUTHORIZED', @now, @now, 'RESERVED')`);
    this.#insert = db.prepare(`INSERT INTO reservations (instance_id, va_id, udi_pid, udi_serial_number, request_code, reservation_type,
      status, authorization_code, pending_authorization_code, created_at, updated_at, confirmed_at, in_transit_since, created_by)
      VALUES (@instance_id, @va_id, @udi_pid, @udi_serial_number, @request_code, @reservation_type, @status, @authorization_code,
        @pending_authorization_code, @created_at, @updated_at, @confirmed_at, @in_transit_since, @created_by)`);
    this.#update = db.prepare(`UPDATE reservations SET status = @status, authorization_code = @authorization_code,
      pending_authorization_code = @pending_authorization_code, updated_at = @updated_at, confirmed_at = @confirmed_at,
      in_transit_since = @in_transit_since WHERE instance_id = @instance_id`);
    this.#insertLicense = db.prepare('INSERT INTO reservation_licenses (instance_id, tag, quantity, pending_quantity) VALUES (?, ?, ?, ?)');
    this.#deleteLicenses = db.prepare('DELETE FROM reservation_licenses WHERE instance_id = ?');
    this.#delete = db.prepare('DELETE FROM reservations WHERE instance_id = ?');
    this.#deleteReservedInstance = db.prepare(`DELETE FROM product_instances WHERE id = ? AND kind = 'RESERVED'`);
    this.#byId = db.prepare<[string], ReservationRow>(`${SELECT} WHERE r.instance_id = ?`);
    this.#byUdi = db.prepare<[string, string], ReservationRow>(`${SELECT} WHERE r.udi_pid = ? AND r.udi_serial_number = ? COLLATE NOCASE`);
    this.#byVa = db.prepare<[string], ReservationRow>(`${SELECT} WHERE r.va_id = ? ORDER BY r.created_at, r.instance_id`);
    this.#inTransit = db.prepare<[number], ReservationRow>(`${SELECT} WHERE r.status = 'IN_TRANSIT' AND r.in_transit_since <= ? ORDER BY r.instance_id`);
    this.#licenses = db.prepare<[string], LicenseRow>('SELECT tag, quantity, pending_quantity FROM reservation_licenses WHERE instance_id = ? ORDER BY tag');
    this.#enabled = db.prepare<[string], { reservation_enabled: number }>('SELECT reservation_enabled FROM accounts WHERE id = ?');
    this.#setEnabled = db.prepare('UPDATE accounts SET reservation_enabled = ? WHERE id = ?');
    this.#markDevice = db.prepare(`UPDATE product_instances SET kind = 'DEVICE' WHERE id = ?`);
  }

  insert(reservation: Reservation, options: { withInstance: boolean; productTag: string }): void {
    if (options.withInstance) {
      const { udi } = reservation;
      this.#insertInstance.run({
        id: reservation.instanceId, va: reservation.virtualAccountId, pid: udi.pid, serial: udi.serialNumber, vid: udi.vid,
        host: udi.hostIdentifier, tag: options.productTag, now: reservation.createdAt,
      });
    }
    this.#insert.run(toParams(reservation));
    this.#writeLicenses(reservation);
  }

  update(reservation: Reservation): void {
    this.#update.run(toParams(reservation));
    this.#deleteLicenses.run(reservation.instanceId);
    this.#writeLicenses(reservation);
  }

  delete(instanceId: string): void {
    this.#deleteLicenses.run(instanceId);
    this.#delete.run(instanceId);
    this.#deleteReservedInstance.run(instanceId);
  }

  findById(instanceId: string): Reservation | undefined {
    const row = this.#byId.get(instanceId);
    return row ? this.#toReservation(row) : undefined;
  }

  markDevice(instanceId: string): void {
    this.#markDevice.run(instanceId);
  }

  findByUdi(pid: string, serialNumber: string): Reservation | undefined {
    const row = this.#byUdi.get(pid, serialNumber);
    return row ? this.#toReservation(row) : undefined;
  }

  listByVirtualAccount(virtualAccountId: string): Reservation[] {
    return this.#byVa.all(virtualAccountId).map((row) => this.#toReservation(row));
  }

  listInTransitSince(before: number): Reservation[] {
    return this.#inTransit.all(before).map((row) => this.#toReservation(row));
  }

  reservationEnabled(accountId: string): boolean {
    return this.#enabled.get(accountId)?.reservation_enabled === 1;
  }

  setReservationEnabled(accountId: string, enabled: boolean): void {
    this.#setEnabled.run(enabled ? 1 : 0, accountId);
  }

  #writeLicenses(reservation: Reservation): void {
    for (const l of reservation.licenses) this.#insertLicense.run(reservation.instanceId, l.tag, l.quantity, l.pendingQuantity);
  }

  #toReservation(row: ReservationRow): Reservation {
    const licenses: ReservedLicense[] = this.#licenses.all(row.instance_id)
      .map((l) => ({ tag: l.tag, quantity: l.quantity, pendingQuantity: l.pending_quantity }));
    return {
      instanceId: row.instance_id, virtualAccountId: row.va_id,
      udi: { pid: row.udi_pid, serialNumber: row.udi_serial_number, vid: row.udi_vid, hostIdentifier: row.host_identifier },
      requestCode: row.request_code, type: row.reservation_type as ReservationType, status: row.status as ReservationStatus,
      authorizationCode: row.authorization_code, pendingAuthorizationCode: row.pending_authorization_code, licenses,
      createdAt: row.created_at, updatedAt: row.updated_at, confirmedAt: row.confirmed_at, inTransitSince: row.in_transit_since,
      createdBy: row.created_by,
    };
  }
}

function toParams(r: Reservation) {
  return {
    instance_id: r.instanceId, va_id: r.virtualAccountId, udi_pid: r.udi.pid, udi_serial_number: r.udi.serialNumber,
    request_code: r.requestCode, reservation_type: r.type, status: r.status, authorization_code: r.authorizationCode,
    pending_authorization_code: r.pendingAuthorizationCode, created_at: r.createdAt, updated_at: r.updatedAt,
    confirmed_at: r.confirmedAt, in_transit_since: r.inTransitSince, created_by: r.createdBy,
  };
}
