import type { InstanceEntitlement, ProductInstance } from '../instances/product-instance.js';
import { isLineActive, type LicenseLine } from '../licenses/license-line.js';
import type { Repositories } from '../shared/unit-of-work.js';

/**
 * Entitlements whose counts are in pool_usage. INVALID_TAG touches no pool; nor does a reserved device's
 * answer, whose seats the reservation holds already (licensing/reservations/reserved-authorization.ts).
 */
export function countsInPool(status: InstanceEntitlement['status']): boolean {
  return status !== 'INVALID_TAG' && status !== 'RESERVED_AUTHORIZED' && status !== 'NOT_AUTHORIZED';
}

/**
 * Takes an instance's counts out of its pools; pool_usage must always equal the sum of entitlements.
 * Returns what was released, so callers can re-grant it elsewhere or tell which pools changed.
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

export interface Grant {
  entitlement: InstanceEntitlement;
  /** A line naming the tag, active preferred; undefined when the virtual account never held the tag. */
  describing: LicenseLine | undefined;
  purchased: number;
  /** The pool's balance before this grant: purchased − authorized − reserved. */
  available: number;
}

/**
 * Grants one tag to an instance out of a virtual account's pool, all or nothing (docs/decisions.md 2): in
 * full when the balance covers it, else OUT_OF_COMPLIANCE with nothing authorized. An ungranted request still
 * counts as requested, so the pool shows the shortfall. A tag the VA never held is INVALID_TAG and touches no pool.
 */
export function grantEntitlement(repos: Repositories, virtualAccountId: string, instanceId: string, tag: string, count: number, now: number): Grant {
  const lines = repos.licenses.listLinesForTag(virtualAccountId, tag);
  // An expired line still proves the tag belongs to the VA (decision 4) and names it.
  const describing = lines.find((line) => isLineActive(line, now)) ?? lines[0];
  if (!describing) {
    const entitlement: InstanceEntitlement = { tag, requested: count, authorized: 0, status: 'INVALID_TAG', updatedAt: now };
    repos.instances.upsertEntitlement(instanceId, entitlement);
    return { entitlement, describing, purchased: 0, available: 0 };
  }
  const purchased = lines.reduce((sum, line) => (isLineActive(line, now) ? sum + line.quantity : sum), 0);
  const usage = repos.licenses.getUsage(virtualAccountId, tag);
  const available = purchased - usage.authorized - usage.reserved;
  // Using none of a tag is always covered, even by a pool that expiring lines have left overdrawn.
  const covered = count === 0 || count <= available;
  const entitlement: InstanceEntitlement = {
    tag, requested: count, authorized: covered ? count : 0, status: covered ? 'AUTHORIZED' : 'OUT_OF_COMPLIANCE', updatedAt: now,
  };
  repos.licenses.addUsage(virtualAccountId, tag, { authorized: entitlement.authorized, requested: count, reserved: 0 });
  repos.instances.upsertEntitlement(instanceId, entitlement);
  return { entitlement, describing, purchased, available };
}

/** Pools whose requested count differs between two sets of entitlements: the only ones whose status can change. */
export function changedPoolTags(before: readonly InstanceEntitlement[], after: readonly InstanceEntitlement[]): string[] {
  const delta = new Map<string, number>();
  for (const e of before) if (countsInPool(e.status)) delta.set(e.tag, (delta.get(e.tag) ?? 0) - e.requested);
  for (const e of after) if (countsInPool(e.status)) delta.set(e.tag, (delta.get(e.tag) ?? 0) + e.requested);
  return [...delta].filter(([, d]) => d !== 0).map(([tag]) => tag);
}

