import type { ReportedReservation, ReservationSyncSource } from '../../licensing/reservations/reservation-sync-source.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface Row {
  instance_id: string; account: string; virtual_account: string; reservation_type: string; status: string; udi_pid: string;
  udi_serial_number: string; created_at: number; confirmed_at: number | null; licenses: string;
}

export class SqliteReservationSyncSource implements ReservationSyncSource {
  readonly #rows;

  constructor(db: SqliteDatabase) {
    // An inner join on the binding: reservations of VAs the registration does not bind stay here (DESIGN §5.2).
    this.#rows = db.prepare<[], Row>(`SELECT r.instance_id, b.upstream_account AS account, b.upstream_virtual_account AS virtual_account,
      r.reservation_type, r.status, r.udi_pid, r.udi_serial_number, r.created_at, r.confirmed_at,
      (SELECT json_group_array(json_object('tag', rl.tag, 'reserved', MAX(rl.quantity, COALESCE(rl.pending_quantity, 0))))
         FROM reservation_licenses rl WHERE rl.instance_id = r.instance_id) AS licenses
      FROM reservations r JOIN satellite_binding_virtual_accounts b ON b.va_id = r.va_id
      ORDER BY r.instance_id`);
  }

  boundReservations(): ReportedReservation[] {
    return this.#rows.all().map((row) => ({
      productInstanceId: row.instance_id, account: row.account, virtualAccount: row.virtual_account,
      type: row.reservation_type === 'UNIVERSAL' ? 'UNIVERSAL' : 'SPECIFIC', status: row.status === 'IN_TRANSIT' ? 'IN_TRANSIT' : 'RESERVED',
      udiPid: row.udi_pid, udiSerialNumber: row.udi_serial_number, createdAt: row.created_at, confirmedAt: row.confirmed_at,
      licenses: (JSON.parse(row.licenses) as Array<{ tag: string; reserved: number }>).filter((l) => l.reserved > 0),
    }));
  }
}
