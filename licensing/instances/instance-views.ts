import type { Alert } from '../alerts/alert.js';
import type { ReservationStatus, ReservationType } from '../reservations/reservation.js';
import type { AuthorizationState, EntitlementStatus, IdCertificate, ProductInstance, RegistrationState } from './product-instance.js';

/** The reservation an instance holds, as the inventory shows it (DESIGN §9.2). */
export interface InstanceReservationSummary {
  type: ReservationType;
  status: ReservationStatus;
  licenses: Array<{ tag: string; reserved: number }>;
}

/** One row of the inventory list. */
export interface InstanceSummary {
  instance: ProductInstance;
  virtualAccountName: string;
  certificateNotAfter: number | null;
  /** Absent where the reader did not look (null: none). */
  reservation?: InstanceReservationSummary | null;
}

/**
 * One instance as an export has it: the inventory's columns flat, in the export's column order. Positional
 * because an export reads a million of them: read as rows of the store, not as ProductInstance objects with
 * their reservation, they cost the reader under half the CPU (docs/performance.md, "The export's own cost").
 * Every number in it is an epoch-ms time.
 */
export type InstanceExportRow = readonly [
  id: string, hostname: string | null, ipAddress: string | null, udiPid: string, udiSerialNumber: string, udiVid: string | null,
  hostIdentifier: string | null, productTag: string, virtualAccountName: string, registrationState: RegistrationState,
  authorizationState: AuthorizationState, registeredAt: number, lastContactAt: number, authorizedAt: number | null,
  authorizationExpiresAt: number | null, certificateSerial: string | null, certificateNotAfter: number | null,
];

export interface InstanceEntitlementView {
  tag: string;
  displayName: string | null;
  requested: number;
  authorized: number;
  status: EntitlementStatus;
  updatedAt: number;
}

/** Everything an admin sees about one product instance. */
export interface InstanceDetail extends InstanceSummary {
  certificate: Pick<IdCertificate, 'serial' | 'notBefore' | 'notAfter' | 'revokedAt'> | null;
  entitlements: InstanceEntitlementView[];
  alerts: Alert[];
}

export interface InstancePage {
  instances: InstanceSummary[];
  /** Matches, exact when totalExact; else counting stopped at this many (COUNT_CAP) and there are more. */
  total: number;
  totalExact: boolean;
  /** Where the next page starts (keyset pagination); null on the last page. */
  next: { lastContactAt: number; id: string } | null;
}
