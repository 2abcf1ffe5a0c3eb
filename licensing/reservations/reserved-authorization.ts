import type { InstanceEntitlement, ProductInstance } from '../instances/product-instance.js';
import { isLineActive } from '../licenses/license-line.js';
import type { Repositories } from '../shared/unit-of-work.js';
import { countsInPool, releaseInstanceUsage } from '../device/usage-ledger.js';
import { heldSeats } from './reservation.js';

/** The RESERVED instance a registering device with this UDI becomes: same VA only, else none. */
export function adoptableReservedInstance(repos: Repositories, udi: { pid: string; serialNumber: string }, virtualAccountId: string): string | null {
  const reservation = repos.reservations.findByUdi(udi.pid, udi.serialNumber);
  if (!reservation || reservation.virtualAccountId !== virtualAccountId) return null;
  return repos.instances.findById(reservation.instanceId)?.kind === 'RESERVED' ? reservation.instanceId : null;
}

export interface ReservedDecision {
  tag: string;
  requested: number;
  authorized: number;
  status: 'RESERVED_AUTHORIZED' | 'NOT_AUTHORIZED';
  displayName: string | null;
  description: string | null;
}

/**
 * AUTHORIZE for a device whose UDI holds a reservation (DESIGN §9.2): reported counts within the reserved
 * ones are RESERVED_AUTHORIZED, other tags and any excess NOT_AUTHORIZED. Its seats are already in the pool
 * as reserved, so the report touches no pool at all (it never counts twice): any usage the instance held
 * before the reservation is released, and the entitlement rows it writes are ones the usage ledger skips.
 * Returns null when the UDI holds no reservation, and the caller takes its usual path.
 *
 * Kept apart from the authorization service, which calls it at one point, so it can be attached to another
 * engine unchanged.
 */
export function authorizeReservedReport(
  repos: Repositories, instance: ProductInstance, report: ReadonlyArray<{ tag: string; count: number }>, now: number,
): { decisions: ReservedDecision[]; changedTags: string[] } | null {
  const reservation = repos.reservations.findByUdi(instance.udi.pid, instance.udi.serialNumber);
  if (!reservation) return null;
  const released = releaseInstanceUsage(repos, instance);
  const reserved = new Map(reservation.licenses.map((l) => [l.tag, heldSeats(l)]));
  const decisions = report.map(({ tag, count }): ReservedDecision => {
    const lines = repos.licenses.listLinesForTag(instance.virtualAccountId, tag);
    const describing = lines.find((line) => isLineActive(line, now)) ?? lines[0];
    const covered = reservation.virtualAccountId === instance.virtualAccountId && count <= (reserved.get(tag) ?? 0);
    const entitlement: InstanceEntitlement = {
      tag, requested: count, authorized: covered ? count : 0, status: covered ? 'RESERVED_AUTHORIZED' : 'NOT_AUTHORIZED', updatedAt: now,
    };
    repos.instances.upsertEntitlement(instance.id, entitlement);
    return {
      tag, requested: count, authorized: entitlement.authorized, status: covered ? 'RESERVED_AUTHORIZED' : 'NOT_AUTHORIZED',
      displayName: describing?.displayName ?? null, description: describing?.description ?? null,
    };
  });
  const changedTags = released.filter((e) => countsInPool(e.status) && (e.requested > 0 || e.authorized > 0)).map((e) => e.tag);
  return { decisions, changedTags };
}

