import { noAlertTriggers, type AlertTriggers } from '../alerts/alert-triggers.js';
import { recordStateChange } from '../instances/instance-state-change.js';
import type { AuthorizationState, EntitlementStatus, InstanceEntitlement, ProductInstance } from '../instances/product-instance.js';
import type { LicensingTimers } from '../shared/licensing-timers.js';
import type { Repositories } from '../shared/unit-of-work.js';
import { registered, requireRegistered } from './registration-service.js';
import { renewUnchangedReport } from './unchanged-report.js';
import { authorizeReservedReport } from '../reservations/reserved-authorization.js';
import { changedPoolTags, recordReport, releaseInstanceUsage } from './usage-ledger.js';

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
 * Records an AUTHORIZE report as the instance's consumption in its virtual account and answers per tag
 * (DESIGN §8.1, docs/licensing.md). The report replaces the instance's previous usage; every reported seat
 * counts in the pool, and each tag's answer is its pool's, after substitution.
 */
export class AuthorizationService {
  readonly #timers: LicensingTimers;
  readonly #alerts: AlertTriggers;

  constructor(timers: LicensingTimers, alerts: AlertTriggers = noAlertTriggers) {
    this.#timers = timers;
    this.#alerts = alerts;
  }

  /**
   * `instance`: its id, or the instance itself as read (and found registered) earlier in the same transaction,
   * which saves reading the row again. `asRead`: its entitlements as read with it, when the caller knows they have
   * not changed since (the device handler's change stamp, migration 0019); otherwise they are read here.
   */
  commitAuthorization(repos: Repositories, instance: string | ProductInstance, requested: RequestedEntitlement[], now: number,
    asRead?: { entitlements: readonly InstanceEntitlement[] }): AuthorizationOutcome {
    const found = typeof instance === 'string' ? requireRegistered(repos, instance) : registered(instance);
    return this.#commit(repos, found, requested, now, typeof instance === 'string' ? undefined : asRead?.entitlements);
  }

  #commit(repos: Repositories, instance: ProductInstance, requested: RequestedEntitlement[], now: number,
    held: readonly InstanceEntitlement[] | undefined): AuthorizationOutcome {
    const vaId = instance.virtualAccountId;
    const report = mergeDuplicates(requested);
    // Most reports repeat what the instance already reported and get the same answers; then no entitlement or
    // pool is written (unchanged-report.ts), and no pool needs re-evaluating.
    // A reserved UDI is answered from its reservation and touches no pool (DESIGN §9.2): the one attachment point.
    const reserved = authorizeReservedReport(repos, instance, report, now);
    const unchanged = reserved ? null : renewUnchangedReport(repos, instance, report, now, held);
    const { decisions, changedTags } = reserved ?? (unchanged ? { decisions: unchanged, changedTags: [] } : rerecord(repos, instance, report, now));
    const inUse = decisions.some((d) => d.requested > 0);
    const short = decisions.some((d) => d.status === 'OUT_OF_COMPLIANCE' || d.status === 'INVALID_TAG' || d.status === 'NOT_AUTHORIZED');
    const status: OverallAuthorization = !inUse ? 'NO_LICENSES_IN_USE' : short ? 'OUT_OF_COMPLIANCE' : 'AUTHORIZED';
    // The inventory state follows Cisco's rule of consecutive short reports (seed 002: a covered report resets
    // the count); the response tells the device the pool's current answer at once.
    const streak = short ? instance.shortReportStreak + 1 : 0;
    const inventoryState: AuthorizationState = !inUse ? 'NO_LICENSES_IN_USE'
      : streak >= this.#timers.outOfComplianceReports ? 'OUT_OF_COMPLIANCE' : 'AUTHORIZED';
    const expiresAt = now + this.#timers.authorizationValidityMs;
    const updated: ProductInstance = {
      ...instance, authorizationState: inventoryState, shortReportStreak: streak, lastContactAt: now, authorizedAt: now,
      authorizationExpiresAt: expiresAt,
    };
    repos.instances.recordAuthorization(updated);
    recordStateChange(repos, this.#alerts, instance, updated, now, {
      message: inventoryState === 'OUT_OF_COMPLIANCE'
        ? `is out of compliance after ${streak} consecutive short reports`
        : `reported again: ${inventoryState === 'AUTHORIZED' ? 'its usage is covered' : 'no licenses in use'}`,
      details: { tags: decisions.filter((d) => d.status !== 'AUTHORIZED').map((d) => d.tag) },
    });
    this.#alerts.poolsChanged(repos, vaId, changedTags, now);
    this.#alerts.instanceAuthorized(repos, instance, now);
    return {
      instance: updated, status, authorizedAt: now, expiresAt,
      nextRenewalAt: now + this.#timers.authorizationRenewAfterMs, entitlements: decisions,
    };
  }
}

/** The full path: the report replaces the instance's usage and every tag is answered from its pool. */
function rerecord(repos: Repositories, instance: ProductInstance, report: readonly RequestedEntitlement[], now: number): {
  decisions: EntitlementDecision[]; changedTags: string[];
} {
  const released = releaseInstanceUsage(repos, instance);
  const recorded = recordReport(repos, instance.virtualAccountId, instance.id, report, now);
  const decisions = recorded.map(({ entitlement, displayName, description }) => ({
    tag: entitlement.tag, requested: entitlement.requested, authorized: entitlement.authorized, status: entitlement.status,
    displayName, description,
  }));
  return { decisions, changedTags: changedPoolTags(released, recorded.map((r) => r.entitlement)) };
}

function mergeDuplicates(requested: RequestedEntitlement[]): RequestedEntitlement[] {
  const merged = new Map<string, number>();
  for (const { tag, count } of requested) merged.set(tag, (merged.get(tag) ?? 0) + count);
  return [...merged].map(([tag, count]) => ({ tag, count }));
}
