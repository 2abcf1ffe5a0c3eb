import type { Udi } from '../instances/product-instance.js';

export type ReservationType = 'SPECIFIC' | 'UNIVERSAL';
/** RESERVED: a code was issued (its confirmation is accepted, not required); IN_TRANSIT: an update awaits its confirmation. */
export type ReservationStatus = 'RESERVED' | 'IN_TRANSIT';

export interface ReservedLicense {
  tag: string;
  /** What the confirmed (or first) authorization code grants. */
  quantity: number;
  /** What the update in transit grants; null when none is. */
  pendingQuantity: number | null;
}

/** DESIGN §9.2. Identified by its product instance id, the `<piid>` of its SLR code. */
export interface Reservation {
  instanceId: string;
  virtualAccountId: string;
  udi: Udi;
  requestCode: string;
  type: ReservationType;
  status: ReservationStatus;
  authorizationCode: string;
  pendingAuthorizationCode: string | null;
  licenses: ReservedLicense[];
  createdAt: number;
  updatedAt: number;
  confirmedAt: number | null;
  inTransitSince: number | null;
  createdBy: string;
}

/** Seats a reservation takes from the pool of a tag: while an update is in transit, the larger of old and new. */
export function heldSeats(license: ReservedLicense): number {
  return Math.max(license.quantity, license.pendingQuantity ?? 0);
}
