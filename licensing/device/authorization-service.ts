import type { EntitlementStatus, InstanceEntitlement, ProductInstance } from '../instances/product-instance.js';
import type { LicenseLine } from '../licenses/license-line.js';
import { isLineActive } from '../licenses/license-line.js';
import type { LicensingTimers } from '../shared/licensing-timers.js';
import type { Repositories } from '../shared/unit-of-work.js';
import { requireRegistered } from './registration-service.js';
import { releaseInstanceUsage } from './usage-ledger.js';

export interface RequestedEntitlement { tag: string; count: number }

export interface EntitlementDecision {
  tag: string;
  requested: number;
  authorized: number;
  status: EntitlementStatus;
  displayName: string | null;
  description: string | null;
}

export type OverallAuthorization = 'AUTHORIZED' | 'OUT_OF_COMPLIANCE' | 'NO_LICENSES_IN_USE';

export interface AuthorizationOutcome {
  instance: ProductInstance;
  status: OverallAuthorization;
  authorizedAt: number;
  expiresAt: number;
  nextRenewalAt: number;
  entitlements: EntitlementDecision[];
}

/**
 * Grants an AUTHORIZE report against the pools of the instance's virtual account. The report replaces the
 * instance's previous usage: its old counts are released first, then each tag is granted in full when the
 * pool's balance covers it, or not at all (OUT_OF_COMPLIANCE) when it does not.
 */
export class AuthorizationService {
  readonly #timers: LicensingTimers;

  constructor(timers: LicensingTimers) {
    this.#timers = timers;
  }

  commitAuthorization(repos: Repositories, instanceId: string, requested: RequestedEntitlement[], now: number): AuthorizationOutcome {
    const instance = requireRegistered(repos, instanceId);
    releaseInstanceUsage(repos, instance);
    const vaId = instance.virtualAccountId;
    const decisions: EntitlementDecision[] = [];
    for (const { tag, count } of mergeDuplicates(requested)) {
      const lines = repos.licenses.listLinesForTag(vaId, tag);
      const describing = pickDescribingLine(lines, now);
      if (!describing) {
        decisions.push({ tag, requested: count, authorized: 0, status: 'INVALID_TAG', displayName: null, description: null });
        repos.instances.upsertEntitlement(instanceId, { tag, requested: count, authorized: 0, status: 'INVALID_TAG', updatedAt: now });
        continue;
      }
      const purchased = lines.reduce((sum, line) => (isLineActive(line, now) ? sum + line.quantity : sum), 0);
      const usage = repos.licenses.getUsage(vaId, tag);
      const covered = count <= purchased - usage.authorized - usage.reserved;
      const entitlement: InstanceEntitlement = {
        tag, requested: count, authorized: covered ? count : 0, status: covered ? 'AUTHORIZED' : 'OUT_OF_COMPLIANCE', updatedAt: now,
      };
      repos.licenses.addUsage(vaId, tag, { authorized: entitlement.authorized, requested: count, reserved: 0 });
      repos.instances.upsertEntitlement(instanceId, entitlement);
      decisions.push({
        tag, requested: count, authorized: entitlement.authorized, status: entitlement.status,
        displayName: describing.displayName, description: describing.description,
      });
    }
    const inUse = decisions.some((d) => d.requested > 0);
    const short = decisions.some((d) => d.status === 'OUT_OF_COMPLIANCE' || d.status === 'INVALID_TAG');
    const status: OverallAuthorization = !inUse ? 'NO_LICENSES_IN_USE' : short ? 'OUT_OF_COMPLIANCE' : 'AUTHORIZED';
    // The inventory state follows Cisco's rule of consecutive over-usage reports; the response tells the device
    // the pool's current answer at once so it can run its own compliance timers.
    const streak = short ? instance.shortReportStreak + 1 : 0;
    const inventoryState = !inUse ? 'NO_LICENSES_IN_USE' : streak >= this.#timers.outOfComplianceReports ? 'OUT_OF_COMPLIANCE' : 'AUTHORIZED';
    const expiresAt = now + this.#timers.authorizationValidityMs;
    const updated: ProductInstance = {
      ...instance, authorizationState: inventoryState, shortReportStreak: streak, lastContactAt: now, authorizedAt: now,
      authorizationExpiresAt: expiresAt,
    };
    repos.instances.update(updated);
    if (inventoryState === 'OUT_OF_COMPLIANCE' && instance.authorizationState !== 'OUT_OF_COMPLIANCE') {
      const va = repos.accounts.findVirtualAccountById(vaId);
      repos.events.append({
        occurredAt: now, accountId: va?.accountId ?? null, virtualAccountId: vaId, actorType: 'system', actorId: null,
        type: 'PRODUCT_INSTANCE_OUT_OF_COMPLIANCE',
        message: `${instance.udi.pid} ${instance.udi.serialNumber} is out of compliance after ${streak} consecutive short reports`,
        details: { productInstanceId: instance.id, tags: decisions.filter((d) => d.status !== 'AUTHORIZED').map((d) => d.tag) },
      });
    }
    return {
      instance: updated, status, authorizedAt: now, expiresAt,
      nextRenewalAt: now + this.#timers.authorizationRenewAfterMs, entitlements: decisions,
    };
  }
}

function mergeDuplicates(requested: RequestedEntitlement[]): RequestedEntitlement[] {
  const merged = new Map<string, number>();
  for (const { tag, count } of requested) merged.set(tag, (merged.get(tag) ?? 0) + count);
  return [...merged].map(([tag, count]) => ({ tag, count }));
}

/** Prefer an active line for names; an expired one still proves the tag belongs to the VA. */
function pickDescribingLine(lines: LicenseLine[], now: number): LicenseLine | undefined {
  return lines.find((line) => isLineActive(line, now)) ?? lines[0];
}
