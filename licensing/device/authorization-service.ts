import { noAlertTriggers, type AlertTriggers } from '../alerts/alert-triggers.js';
import type { EntitlementStatus, InstanceEntitlement, ProductInstance } from '../instances/product-instance.js';
import type { LicensingTimers } from '../shared/licensing-timers.js';
import type { Repositories } from '../shared/unit-of-work.js';
import { requireRegistered } from './registration-service.js';
import { renewUnchangedReport } from './unchanged-report.js';
import { authorizeReservedReport } from '../reservations/reserved-authorization.js';
import { changedPoolTags, grantEntitlement, releaseInstanceUsage } from './usage-ledger.js';

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
  readonly #alerts: AlertTriggers;

  constructor(timers: LicensingTimers, alerts: AlertTriggers = noAlertTriggers) {
    this.#timers = timers;
    this.#alerts = alerts;
  }

  commitAuthorization(repos: Repositories, instanceId: string, requested: RequestedEntitlement[], now: number): AuthorizationOutcome {
    const instance = requireRegistered(repos, instanceId);
    const vaId = instance.virtualAccountId;
    const report = mergeDuplicates(requested);
    // Most reports repeat what the instance already holds; when that provably changes nothing, skip the
    // release and re-grant (unchanged-report.ts). No pool changes then, so no pool needs its alerts re-checked.
    // A reserved UDI is answered from its reservation and touches no pool (DESIGN §9.2): the one attachment point.
    const reserved = authorizeReservedReport(repos, instance, report, now);
    const unchanged = reserved ? null : renewUnchangedReport(repos, instance, report, now);
    const { decisions, changedTags } = reserved ?? (unchanged ? { decisions: unchanged, changedTags: [] } : regrant(repos, instance, report, now));
    const inUse = decisions.some((d) => d.requested > 0);
    const short = decisions.some((d) => d.status === 'OUT_OF_COMPLIANCE' || d.status === 'INVALID_TAG' || d.status === 'NOT_AUTHORIZED');
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
    repos.instances.recordAuthorization(updated);
    if (inventoryState === 'OUT_OF_COMPLIANCE' && instance.authorizationState !== 'OUT_OF_COMPLIANCE') {
      const va = repos.accounts.findVirtualAccountById(vaId);
      repos.events.append({
        occurredAt: now, accountId: va?.accountId ?? null, virtualAccountId: vaId, actorType: 'system', actorId: null,
        type: 'PRODUCT_INSTANCE_OUT_OF_COMPLIANCE',
        message: `${instance.udi.pid} ${instance.udi.serialNumber} is out of compliance after ${streak} consecutive short reports`,
        details: { productInstanceId: instance.id, tags: decisions.filter((d) => d.status !== 'AUTHORIZED').map((d) => d.tag) },
      });
    }
    // A steady-state renewal repeats the same counts, changes no pool and so costs the alert rules nothing.
    this.#alerts.poolsChanged(repos, vaId, changedTags, now);
    this.#alerts.instanceAuthorized(repos, instance, now);
    return {
      instance: updated, status, authorizedAt: now, expiresAt,
      nextRenewalAt: now + this.#timers.authorizationRenewAfterMs, entitlements: decisions,
    };
  }
}

/** The full path: the report replaces the instance's usage, each tag granted all or nothing. */
function regrant(repos: Repositories, instance: ProductInstance, report: readonly RequestedEntitlement[], now: number): {
  decisions: EntitlementDecision[]; changedTags: string[];
} {
  const released = releaseInstanceUsage(repos, instance);
  const decisions: EntitlementDecision[] = [];
  const granted: InstanceEntitlement[] = [];
  for (const { tag, count } of report) {
    const { entitlement, describing } = grantEntitlement(repos, instance.virtualAccountId, instance.id, tag, count, now);
    granted.push(entitlement);
    decisions.push({
      tag, requested: count, authorized: entitlement.authorized, status: entitlement.status,
      displayName: describing?.displayName ?? null, description: describing?.description ?? null,
    });
  }
  return { decisions, changedTags: changedPoolTags(released, granted) };
}

function mergeDuplicates(requested: RequestedEntitlement[]): RequestedEntitlement[] {
  const merged = new Map<string, number>();
  for (const { tag, count } of requested) merged.set(tag, (merged.get(tag) ?? 0) + count);
  return [...merged].map(([tag, count]) => ({ tag, count }));
}
