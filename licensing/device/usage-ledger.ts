import type { SubstitutionLadders } from '../catalog/substitution-ladders.js';
import type { EntitlementStatus, InstanceEntitlement, ProductInstance } from '../instances/product-instance.js';
import { isLineActive } from '../licenses/license-line.js';
import { evaluateTags, holdsTagOrTier, type PoolState } from '../licenses/pool-evaluator.js';
import type { Repositories } from '../shared/unit-of-work.js';

/**
 * Entitlements whose counts are in pool_usage: every reported seat (DESIGN §8.1), except a reserved device's
 * answers, whose seats the reservation holds already (licensing/reservations/reserved-authorization.ts).
 */
export function countsInPool(status: InstanceEntitlement['status']): boolean {
  return status !== 'RESERVED_AUTHORIZED' && status !== 'NOT_AUTHORIZED';
}

/**
 * Takes an instance's counts out of its pools; pool_usage must always equal the sum of the entitlements of
 * the instances whose usage counts. Returns what was released, so callers can re-apply it elsewhere or tell
 * which pools changed.
 */
export function releaseInstanceUsage(repos: Repositories, instance: ProductInstance): InstanceEntitlement[] {
  const released = repos.instances.listEntitlements(instance.id);
  for (const entitlement of released) {
    if (!countsInPool(entitlement.status)) continue;
    repos.licenses.addUsage(instance.virtualAccountId, entitlement.tag, {
      authorized: -entitlement.authorized, requested: -entitlement.requested, reserved: 0,
    });
  }
  repos.instances.deleteEntitlements(instance.id);
  return released;
}

export interface ReportedCount { tag: string; count: number }

export interface UsageDecision {
  entitlement: InstanceEntitlement;
  displayName: string | null;
  description: string | null;
  /** The pool after this report, substitution included. */
  pool: PoolState | undefined;
}

/**
 * Records a report as the instance's consumption in its VA (DESIGN §8.1: usage is trusted, then verified):
 * every reported seat counts in the pool, covered or not, so a short pool shows a negative balance. Then each
 * tag gets the pool-level answer: AUTHORIZED while the pool's balance after substitution is ≥ 0,
 * OUT_OF_COMPLIANCE while it is short, INVALID_TAG when the VA never held the tag nor a tier covering it.
 */
export function recordReport(
  repos: Repositories, virtualAccountId: string, instanceId: string, report: readonly ReportedCount[], now: number,
): UsageDecision[] {
  for (const { tag, count } of report) repos.licenses.addUsage(virtualAccountId, tag, { authorized: 0, requested: count, reserved: 0 });
  const { pools, ladders } = evaluateTags(repos, virtualAccountId, report.map((r) => r.tag), now);
  return report.map(({ tag, count }) => {
    const decision = decide(pools, ladders, tag, count, now);
    const entitlement: InstanceEntitlement = {
      tag, requested: count, authorized: decision.status === 'AUTHORIZED' ? count : 0, status: decision.status, updatedAt: now,
    };
    if (entitlement.authorized > 0) repos.licenses.addUsage(virtualAccountId, tag, { authorized: entitlement.authorized, requested: 0, reserved: 0 });
    repos.instances.upsertEntitlement(instanceId, entitlement);
    return { entitlement, displayName: decision.displayName, description: decision.description, pool: pools.get(tag) };
  });
}

export interface TagDecision { status: EntitlementStatus; displayName: string | null; description: string | null }

/** The answer for one reported tag, given the pools after the report. */
export function decide(pools: ReadonlyMap<string, PoolState>, ladders: SubstitutionLadders, tag: string, count: number, now: number): TagDecision {
  if (!holdsTagOrTier(pools, ladders, tag)) return { status: 'INVALID_TAG', displayName: null, description: null };
  const pool = pools.get(tag);
  const lines = pool?.lines ?? [];
  // An expired line still names the tag (decisions #4); a tag held only through a higher tier takes the catalog's names.
  const describing = lines.find((line) => isLineActive(line, now)) ?? lines[0];
  const entry = describing ? undefined : ladders.entry(tag);
  // Using none of a tag is always covered, even by a pool that others or ended lines have left short.
  const covered = count === 0 || (pool?.balance ?? 0) >= 0;
  return {
    status: covered ? 'AUTHORIZED' : 'OUT_OF_COMPLIANCE',
    displayName: describing?.displayName ?? entry?.displayName ?? null,
    description: describing?.description ?? entry?.description ?? null,
  };
}

/** Pools whose consumed count differs between two sets of entitlements: the only ones whose numbers moved. */
export function changedPoolTags(before: readonly InstanceEntitlement[], after: readonly InstanceEntitlement[]): string[] {
  const delta = new Map<string, number>();
  for (const e of before) if (countsInPool(e.status)) delta.set(e.tag, (delta.get(e.tag) ?? 0) - e.requested);
  for (const e of after) if (countsInPool(e.status)) delta.set(e.tag, (delta.get(e.tag) ?? 0) + e.requested);
  return [...delta].filter(([, d]) => d !== 0).map(([tag]) => tag);
}
