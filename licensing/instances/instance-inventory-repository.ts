import type { InstanceSummary } from './instance-views.js';
import type { AuthorizationState, RegistrationState } from './product-instance.js';

export type InstanceSort = 'lastContact' | '-lastContact';

/** Filters of the product instance inventory (admin list, CSV export, CLI); each is optional but the account. */
export interface InstanceFilter {
  accountId: string;
  virtualAccountId?: string;
  /** Case-insensitive substring of hostname, IP address, UDI PID, UDI serial number or instance id. */
  search?: string;
  pid?: string;
  serialNumber?: string;
  /** Case-insensitive substring of the product tag or the UDI PID, e.g. "C9300". */
  productType?: string;
  /** Instances that report this entitlement tag. */
  licenseTag?: string;
  /** Last contact strictly before / after these times. */
  lastContactBefore?: number;
  lastContactAfter?: number;
  /** Omitted means every state. */
  registrationState?: RegistrationState;
  authorizationState?: AuthorizationState;
}

export interface InstanceQuery extends InstanceFilter {
  sort: InstanceSort;
  limit: number;
  offset: number;
}

/** Reads for the inventory screens; filtering, sorting and paging happen in SQL. */
export interface InstanceInventoryRepository {
  list(query: InstanceQuery): InstanceSummary[];
  count(filter: InstanceFilter): number;
}
