import type { Reservation } from './reservation.js';

/** Storage of reservations (db/). Pool counters are the license repository's; callers keep them in step. */
export interface ReservationRepository {
  /** Also writes the RESERVED product instance when `withInstance` (a UDI not registered as a device). */
  insert(reservation: Reservation, options: { withInstance: boolean; productTag: string }): void;
  update(reservation: Reservation): void;
  /** Deletes the reservation, and its product instance when that is of kind RESERVED. */
  delete(instanceId: string): void;
  findById(instanceId: string): Reservation | undefined;
  /** The RESERVED instance became its device (it registered): kind DEVICE, the reservation stays. */
  markDevice(instanceId: string): void;
  findByUdi(pid: string, serialNumber: string): Reservation | undefined;
  listByVirtualAccount(virtualAccountId: string): Reservation[];
  /** IN_TRANSIT reservations whose update has waited since `before` or longer, for the alert sweep. */
  listInTransitSince(before: number): Reservation[];
  reservationEnabled(accountId: string): boolean;
  setReservationEnabled(accountId: string, enabled: boolean): void;
}
