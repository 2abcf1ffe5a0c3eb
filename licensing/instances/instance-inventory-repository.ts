import type { InstanceExportRow, InstanceSummary } from './instance-views.js';
import type { AuthorizationState, RegistrationState } from './product-instance.js';

export type InstanceSort = 'lastContact' | '-lastContact';

/** Filters of the product instance inventory (admin list, CSV export, CLI); each is optional but the account. */
export interface InstanceFilter {
  accountId: string;
  virtualAccountId?: string;
  /** Hostname, UDI serial number, UDI PID or instance id, case-insensitive; see `searchMatch`. */
  search?: string;
  /**
   * 'contains' (the default): a substring of hostname, IP address, serial number or PID (through the trigram
   * index from 3 characters on), or a prefix of the id. 'prefix': a prefix of hostname, serial number, PID or
   * id, read through indexes.
   */
  searchMatch?: 'contains' | 'prefix';
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

/** A position in the sort order (last contact, then id): keyset pagination starts after it. */
export interface InstanceKey {
  lastContactAt: number;
  id: string;
}

export interface InstanceQuery extends InstanceFilter {
  sort: InstanceSort;
  limit: number;
  offset: number;
  /** Rows after this key only (keyset pagination); offset then counts from there. */
  after?: InstanceKey;
}

/**
 * Reads for the inventory screens. Every read is bounded: a window walks at most `size` entries of the sort
 * index, so callers iterate windows (yielding between them) instead of one statement reading O(instances).
 */
export interface InstanceInventoryRepository {
  /**
   * When the filter has a term an index answers directly (prefix search, serial number, PID, license tag), how
   * many instances that term alone matches, counting no further than `cap + 1`; null when it has none.
   */
  selectiveMatches(filter: InstanceFilter, cap: number): number | null;
  /** Through the selective index: the page, sorted (only after selectiveMatches answered at most its cap). */
  listSelective(query: InstanceQuery): InstanceSummary[];
  /** Through the selective index: every match counted (bounded as listSelective). */
  countSelective(filter: InstanceFilter): number;
  /**
   * Matches counted no further than `cap`, driven by the selective term's index however many it matches
   * (O(min(matches, cap)) row reads when the other filters pass); null when the filter has no such driver.
   */
  countThrough(filter: InstanceFilter, cap: number): number | null;
  /**
   * The key of the `size`-th entry after `after` in the sort order of the filter's VA (windows need
   * virtualAccountId), ignoring the other filters (an index-only walk); null when fewer remain, so the window
   * runs to the end.
   */
  windowEnd(filter: InstanceFilter, sort: InstanceSort, after: InstanceKey | undefined, size: number): InstanceKey | null;
  /** Matches in the window (after, end], sorted, with limit and offset inside it. */
  listWindow(query: InstanceQuery, end: InstanceKey | null): InstanceSummary[];
  /** listSelective's rows as the export has them. */
  exportSelective(query: InstanceQuery): InstanceExportRow[];
  /** listWindow's rows as the export has them. */
  exportWindow(query: InstanceQuery, end: InstanceKey | null): InstanceExportRow[];
  /** Matches in the window (after, end], counted no further than `cap`. */
  countWindow(filter: InstanceFilter, sort: InstanceSort, after: InstanceKey | undefined, end: InstanceKey | null, cap: number): number;
  /** Whether every filter is decided from the sort index alone (windows can then be long without row reads). */
  indexOnly(filter: InstanceFilter): boolean;
}
