import type { ProductInstance } from '../instances/product-instance.js';
import { isLineActive } from '../licenses/license-line.js';
import type { Repositories } from '../shared/unit-of-work.js';
import type { EntitlementDecision, RequestedEntitlement } from './authorization-service.js';

/**
 * The steady state of AUTHORIZE: a device renews with exactly the counts it already holds, all granted.
 * The full path would release every count and grant it again, writing the same numbers back to the pool
 * (usage − n + n) and the same entitlement rows, so this path only moves the entitlements' updated_at and
 * returns the decisions the full path would have made.
 *
 * Why that is exact: after the release the pool holds authorized − n, so the full path grants n iff
 * n ≤ purchased − (authorized − n) − reserved, i.e. iff authorized + reserved ≤ purchased. purchased is
 * recomputed from the lines active now, because lines expire and admins remove or reserve licenses
 * between reports; when the inequality fails for any tag, or the tag has no line left, or the report
 * differs in any tag or count, or anything held is not fully AUTHORIZED, this returns null and the caller
 * takes the full path, having written nothing.
 *
 * @param report the request with duplicate tags merged, in the order the decisions must follow
 */
export function renewUnchangedReport(
  repos: Repositories, instance: ProductInstance, report: readonly RequestedEntitlement[], now: number,
): EntitlementDecision[] | null {
  const held = repos.instances.listEntitlements(instance.id);
  if (held.length !== report.length) return null;
  const heldByTag = new Map(held.map((entitlement) => [entitlement.tag, entitlement]));
  const decisions: EntitlementDecision[] = [];
  for (const { tag, count } of report) {
    const entitlement = heldByTag.get(tag);
    if (entitlement?.status !== 'AUTHORIZED' || entitlement.requested !== count || entitlement.authorized !== count) return null;
    const lines = repos.licenses.listLinesForTag(instance.virtualAccountId, tag);
    // The same describing line the full path picks: an active one first, else any (decision 4).
    const describing = lines.find((line) => isLineActive(line, now)) ?? lines[0];
    if (!describing) return null;
    const purchased = lines.reduce((sum, line) => (isLineActive(line, now) ? sum + line.quantity : sum), 0);
    const usage = repos.licenses.getUsage(instance.virtualAccountId, tag);
    if (usage.authorized + usage.reserved > purchased) return null;
    decisions.push({
      tag, requested: count, authorized: count, status: 'AUTHORIZED', displayName: describing.displayName, description: describing.description,
    });
  }
  repos.instances.touchEntitlements(instance.id, now);
  return decisions;
}
