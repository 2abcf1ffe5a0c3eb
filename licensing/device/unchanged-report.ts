import type { InstanceEntitlement, ProductInstance } from '../instances/product-instance.js';
import { evaluateTags } from '../licenses/pool-evaluator.js';
import type { Repositories } from '../shared/unit-of-work.js';
import type { EntitlementDecision, RequestedEntitlement } from './authorization-service.js';
import { decide } from './usage-ledger.js';

/**
 * The steady state of AUTHORIZE: a device renews with exactly the counts it already reported. The full path
 * would release every count and record it again, writing the same numbers back to the pools (usage − n + n),
 * so the pools after the report are the pools as they stand. This path therefore evaluates them as they
 * stand (substitution included) and, when every tag's answer equals the status stored at the last report,
 * returns those decisions having written nothing: an entitlement's updated_at is when its count or answer last
 * changed, and the instance's last_contact_at says when it reported (at 1M instances, touching every
 * entitlement row again was one more random page per AUTHORIZE, for a time the instance row already holds).
 *
 * When any answer differs (another device made a pool short or covered it again, a line started or ended, a
 * reservation or the catalog changed), the stored statuses and `authorized` counts must be rewritten, so this
 * returns null and the caller takes the full path, having written nothing. Cost: O(tags × ladder size) reads.
 *
 * @param report the request with duplicate tags merged, in the order the decisions must follow
 * @param heldAsRead the instance's entitlements as the caller read them, when it knows they are still current
 */
export function renewUnchangedReport(
  repos: Repositories, instance: ProductInstance, report: readonly RequestedEntitlement[], now: number,
  heldAsRead?: readonly InstanceEntitlement[],
): EntitlementDecision[] | null {
  const held = heldAsRead ?? repos.instances.listEntitlements(instance.id);
  if (held.length !== report.length) return null;
  const heldByTag = new Map(held.map((entitlement) => [entitlement.tag, entitlement]));
  for (const { tag, count } of report) if (heldByTag.get(tag)?.requested !== count) return null;
  const { pools, ladders } = evaluateTags(repos, instance.virtualAccountId, report.map((r) => r.tag), now);
  const decisions: EntitlementDecision[] = [];
  for (const { tag, count } of report) {
    const decision = decide(pools, ladders, tag, count, now);
    const entitlement = heldByTag.get(tag);
    const authorized = decision.status === 'AUTHORIZED' ? count : 0;
    if (entitlement?.status !== decision.status || entitlement.authorized !== authorized) return null;
    decisions.push({ tag, requested: count, authorized, ...decision });
  }
  return decisions;
}
