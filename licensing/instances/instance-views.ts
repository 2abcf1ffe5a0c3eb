import type { Alert } from '../alerts/alert.js';
import type { ReservationStatus, ReservationType } from '../reservations/reservation.js';
import type { EntitlementStatus, IdCertificate, ProductInstance } from './product-instance.js';

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
