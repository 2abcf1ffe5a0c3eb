import type { Alert } from '../alerts/alert.js';
import type { EntitlementStatus, IdCertificate, ProductInstance } from './product-instance.js';

/** One row of the inventory list. */
export interface InstanceSummary {
  instance: ProductInstance;
  virtualAccountName: string;
  certificateNotAfter: number | null;
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
  total: number;
}
