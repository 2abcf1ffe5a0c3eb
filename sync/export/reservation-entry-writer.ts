import type { ReservationSyncSource } from '../../licensing/reservations/reservation-sync-source.js';
import { entryFileName, reservationRecordSchema, type ReservationRecord } from '../../protocol/sync-entries.js';

/**
 * The `reservations` entry of a request bundle (docs/sync-format.md): every reservation of a bound VA, as a
 * full snapshot, validated as it is written. Reservations are few (one per air-gapped device), so they are
 * read at once rather than spooled.
 */
export function reservationEntry(source: ReservationSyncSource): { name: string; kind: 'reservations'; records: ReservationRecord[] } {
  const records = source.boundReservations().map((r) => reservationRecordSchema.parse({
    product_instance_id: r.productInstanceId, account: r.account, virtual_account: r.virtualAccount, reservation_type: r.type,
    status: r.status, udi_pid: r.udiPid, udi_serial_number: r.udiSerialNumber, licenses: r.licenses, created_at: r.createdAt,
    confirmed_at: r.confirmedAt,
  }));
  return { name: entryFileName('reservations'), kind: 'reservations', records };
}
