import { isLineActive, type LicenseLine } from './license-line.js';
import { poolStatus, type LicensePool, type PoolStatus, type PoolUsage } from './license-pool.js';

/** A VA's pool for one tag with the lines behind it, as admins see it. */
export interface PoolView extends LicensePool {
  displayName: string;
  description: string;
  status: PoolStatus;
  lines: LicenseLine[];
}

/** One row per license (tag) per account: the pools of all its VAs added up. */
export interface AccountLicenseSummary {
  tag: string;
  displayName: string;
  quantity: number;
  inUse: number;
  available: number;
  requested: number;
  reserved: number;
  status: PoolStatus;
}

/**
 * The numbers of DESIGN §3 for every tag a VA has lines or usage for. Tags whose lines have all ended stay
 * visible with nothing purchased, so a shortfall against an expired license is not hidden.
 */
export function summarizePools(
  virtualAccountId: string, lines: readonly LicenseLine[], usage: ReadonlyArray<PoolUsage & { tag: string }>, now: number,
): PoolView[] {
  const tags = new Set([...lines.map((l) => l.tag), ...usage.map((u) => u.tag)]);
  const views: PoolView[] = [];
  for (const tag of tags) {
    const tagLines = lines.filter((l) => l.tag === tag);
    const counts = usage.find((u) => u.tag === tag) ?? { authorized: 0, requested: 0, reserved: 0 };
    const purchased = tagLines.reduce((sum, l) => (isLineActive(l, now) ? sum + l.quantity : sum), 0);
    const inUse = counts.authorized + counts.reserved;
    const describing = describingLine(tagLines, now);
    views.push({
      virtualAccountId, tag, purchased, inUse, requested: counts.requested, reserved: counts.reserved,
      balance: purchased - inUse, status: poolStatus({ purchased, requested: counts.requested, reserved: counts.reserved }),
      displayName: describing?.displayName ?? tag, description: describing?.description ?? '', lines: tagLines,
    });
  }
  return views.sort(byName);
}

/**
 * Adds up the pools of an account per tag. A tag is out of compliance when the account as a whole is short
 * or when any one VA is: licenses in one VA do not serve devices of another, so a sum alone would hide it.
 */
export function aggregateAccount(pools: readonly PoolView[]): AccountLicenseSummary[] {
  const rows = new Map<string, AccountLicenseSummary & { anyShort: boolean }>();
  for (const pool of pools) {
    const row = rows.get(pool.tag) ?? {
      tag: pool.tag, displayName: pool.displayName, quantity: 0, inUse: 0, available: 0, requested: 0, reserved: 0,
      status: 'IN_COMPLIANCE', anyShort: false,
    };
    row.quantity += pool.purchased;
    row.inUse += pool.inUse;
    row.requested += pool.requested;
    row.reserved += pool.reserved;
    row.anyShort ||= pool.status === 'INSUFFICIENT';
    if (row.displayName === row.tag) row.displayName = pool.displayName;
    rows.set(pool.tag, row);
  }
  return [...rows.values()].map(({ anyShort, ...row }) => {
    const aggregate = poolStatus({ purchased: row.quantity, requested: row.requested, reserved: row.reserved });
    const status: PoolStatus = anyShort || aggregate === 'INSUFFICIENT' ? 'INSUFFICIENT' : 'IN_COMPLIANCE';
    return { ...row, available: row.quantity - row.inUse, status };
  }).sort(byName);
}

/** Names come from an active line when there is one (the newest), else from the newest line at all. */
function describingLine(lines: readonly LicenseLine[], now: number): LicenseLine | undefined {
  const newest = (a: LicenseLine, b: LicenseLine) => b.createdAt - a.createdAt;
  return [...lines].filter((l) => isLineActive(l, now)).sort(newest)[0] ?? [...lines].sort(newest)[0];
}

function byName(a: { displayName: string; tag: string }, b: { displayName: string; tag: string }): number {
  return a.displayName.localeCompare(b.displayName) || a.tag.localeCompare(b.tag);
}
