import type { Alert } from '../alerts/alert.js';
import type { SubstitutionLadders } from '../catalog/substitution-ladders.js';
import { isLineActive, type LicenseLine, type LicenseType } from './license-line.js';
import { poolStatus, type PoolStatus } from './license-pool.js';
import { describingLine, type PoolState } from './pool-evaluator.js';

/** A VA's pool for one tag with the lines behind it, as admins see it (the seeds' license table). */
export interface PoolView {
  virtualAccountId: string;
  tag: string;
  displayName: string;
  description: string;
  /** The seeds' Billing column: Prepaid for perpetual and term lines, Subscription for subscriptions. */
  billing: string;
  purchased: number;
  /** Seats the VA's registered product instances last reported. */
  consumed: number;
  reserved: number;
  /** consumed + reserved. */
  inUse: number;
  borrowed: number;
  lent: number;
  /** Signed: + borrowed from higher tiers, − lent to lower ones. */
  substitution: number;
  /** purchased − inUse + substitution; negative when short. */
  balance: number;
  status: PoolStatus;
  lines: LicenseLine[];
  /** Active alerts about this pool (INSUFFICIENT_LICENSES, LICENSES_EXPIRING, LICENSES_EXPIRED). */
  alerts: Alert[];
}

/** One row per license (tag) per account: the pools of all its VAs added up. */
export interface AccountLicenseSummary {
  tag: string;
  displayName: string;
  billing: string;
  quantity: number;
  consumed: number;
  reserved: number;
  inUse: number;
  borrowed: number;
  lent: number;
  substitution: number;
  /** The sum of the VAs' balances. */
  available: number;
  /** INSUFFICIENT exactly when some VA's balance is negative (DESIGN §8.2). */
  status: PoolStatus;
  alerts: Alert[];
}

/**
 * The numbers of DESIGN §3 for every tag a VA has lines or usage for. Tags whose lines have all ended stay
 * visible with nothing purchased, so a shortfall against an expired license is not hidden.
 */
export function summarizePools(
  virtualAccountId: string, pools: ReadonlyMap<string, PoolState>, ladders: SubstitutionLadders, now: number,
  alertsOf: (tag: string) => Alert[] = () => [],
): PoolView[] {
  const views: PoolView[] = [];
  for (const pool of pools.values()) {
    const describing = describingLine(pool.lines, now);
    const entry = ladders.entry(pool.tag);
    views.push({
      virtualAccountId, tag: pool.tag, displayName: describing?.displayName ?? entry?.displayName ?? pool.tag,
      description: describing?.description ?? entry?.description ?? '', billing: billingOf(pool.lines, now),
      purchased: pool.purchased, consumed: pool.consumed, reserved: pool.reserved, inUse: pool.inUse, borrowed: pool.borrowed,
      lent: pool.lent, substitution: pool.substitution, balance: pool.balance, status: poolStatus(pool.balance), lines: pool.lines,
      alerts: alertsOf(pool.tag),
    });
  }
  return views.sort(byName);
}

/**
 * Adds up the pools of an account per tag. A tag is out of compliance when any one VA is short: licenses in
 * one VA do not serve devices of another, so a sum alone would hide it.
 */
export function aggregateAccount(pools: readonly PoolView[]): AccountLicenseSummary[] {
  const rows = new Map<string, AccountLicenseSummary>();
  for (const pool of pools) {
    const row = rows.get(pool.tag) ?? {
      tag: pool.tag, displayName: pool.displayName, billing: pool.billing, quantity: 0, consumed: 0, reserved: 0, inUse: 0, borrowed: 0, lent: 0,
      substitution: 0, available: 0, status: 'IN_COMPLIANCE' as PoolStatus, alerts: [],
    };
    row.alerts.push(...pool.alerts);
    row.quantity += pool.purchased;
    row.consumed += pool.consumed;
    row.reserved += pool.reserved;
    row.inUse += pool.inUse;
    row.borrowed += pool.borrowed;
    row.lent += pool.lent;
    row.substitution += pool.substitution;
    row.available += pool.balance;
    if (pool.status === 'INSUFFICIENT') row.status = 'INSUFFICIENT';
    if (row.displayName === row.tag) row.displayName = pool.displayName;
    if (!row.billing.split(', ').includes(pool.billing) && pool.billing !== '-') row.billing = row.billing === '-' ? pool.billing : `${row.billing}, ${pool.billing}`;
    rows.set(pool.tag, row);
  }
  return [...rows.values()].sort(byName);
}

const BILLING: Record<LicenseType, string> = { PERPETUAL: 'Prepaid', TERM: 'Prepaid', SUBSCRIPTION: 'Subscription' };

function billingOf(lines: readonly LicenseLine[], now: number): string {
  const kinds = new Set(lines.filter((l) => isLineActive(l, now) && l.quantity > 0).map((l) => BILLING[l.licenseType]));
  return kinds.size === 0 ? '-' : [...kinds].sort().join(', ');
}

function byName(a: { displayName: string; tag: string }, b: { displayName: string; tag: string }): number {
  return a.displayName.localeCompare(b.displayName) || a.tag.localeCompare(b.tag);
}
