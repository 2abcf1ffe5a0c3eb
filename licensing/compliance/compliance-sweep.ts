import type { AlertService, SweepResult } from '../alerts/alert-service.js';
import { changedPoolTags, releaseInstanceUsage } from '../device/usage-ledger.js';
import { recordStateChange } from '../instances/instance-state-change.js';
import type { ProductInstance } from '../instances/product-instance.js';
import { USAGE_HISTORY_RETENTION_DAYS, utcDay } from '../licenses/usage-history.js';
import { MS_PER_DAY, type Clock } from '../shared/clock.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import { scanChunks } from '../alerts/alert-cause-repository.js';
import type { RenewalSubject } from '../alerts/alert-rules.js';
import { ChunkedSweepScanner, type SweepScanner } from '../alerts/sweep-scanner.js';

export interface ComplianceSweepDeps {
  uow: UnitOfWork;
  clock: Clock;
  alerts: AlertService;
  /** Who walks the instances for the scheduled run; without one, runInSteps reads in chunks itself. */
  scanner?: SweepScanner;
}

export interface ComplianceSweepResult extends SweepResult {
  authorizationsExpired: number;
  registrationsExpired: number;
  historyDaysPruned: number;
}

/**
 * What time alone changes (DESIGN §8.1, §8.3): inventory states whose timers ran out, pools whose lines
 * started or ended, alerts about both, and the usage history's daily rows. Everything is derived from the
 * stored data and the injected clock, nothing from when the previous run happened, so a run after a restart
 * (or after a boundary passed while the process was down) reaches the same state as an uninterrupted one.
 */
export class ComplianceSweep {
  readonly #deps: ComplianceSweepDeps;

  constructor(deps: ComplianceSweepDeps) {
    this.#deps = deps;
  }

  /** The whole sweep in one go (tests, `sync now`): candidates are read inside the write transaction. */
  run(): ComplianceSweepResult {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const lapsed = [...scanChunks(repos.alertCauses.instanceSpan())].flatMap((chunk) => repos.alertCauses.authorizationsLapsedBy(now, chunk));
      return this.#apply(repos, now, lapsed);
    });
  }

  /**
   * The same for the schedule at a million instances: the candidates that need a pass over the instances
   * (lapsed authorizations, overdue renewals) are gathered first, by the scanner when there is one (a reader
   * thread) or here in chunks that yield to the event loop (`yieldTurn`) between them; then one write
   * transaction re-reads each lapse candidate and every renewal alert it would raise, and applies what still
   * holds. That transaction costs O(candidates and alerts), not O(instances).
   */
  async runInSteps(yieldTurn: () => Promise<void>): Promise<ComplianceSweepResult> {
    const now = this.#deps.clock.now();
    const scanner = this.#deps.scanner ?? new ChunkedSweepScanner(this.#deps.uow, yieldTurn);
    const lapsedIds = await scanner.lapsedAuthorizationIds(now);
    const renewals = await this.#deps.alerts.gatherRenewals(now, scanner);
    return this.#deps.uow.write((repos) => {
      const lapsed = lapsedIds.map((id) => repos.instances.findById(id)).filter((i): i is ProductInstance => i !== undefined && stillLapsed(i, now));
      return this.#apply(repos, now, lapsed, renewals);
    });
  }

  #apply(repos: Repositories, now: number, lapsedAuthorizations: readonly ProductInstance[], renewals?: readonly RenewalSubject[]): ComplianceSweepResult {
    const alerts = this.#deps.alerts;
    // A lapsed certificate first: such an instance is REGISTRATION_EXPIRED whatever its authorization says.
    const lapsedRegistrations = repos.alertCauses.registrationsLapsedBy(now);
    const expiredRegistration = new Set<string>();
    for (const instance of lapsedRegistrations) {
      const released = releaseInstanceUsage(repos, instance);
      const expired: ProductInstance = { ...instance, authorizationState: 'REGISTRATION_EXPIRED', shortReportStreak: 0 };
      repos.instances.update(expired);
      expiredRegistration.add(instance.id);
      recordStateChange(repos, alerts, instance, expired, now, {
        message: 'did not renew its ID certificate: its registration expired and its licenses returned to the pool',
        details: { releasedTags: released.map((e) => e.tag) },
      });
      alerts.poolsChanged(repos, instance.virtualAccountId, changedPoolTags(released, []), now);
    }
    // Read before the registrations changed, so one that just became REGISTRATION_EXPIRED is left as it now is.
    const authorizations = lapsedAuthorizations.filter((i) => !expiredRegistration.has(i.id));
    for (const instance of authorizations) {
      const expired: ProductInstance = { ...instance, authorizationState: 'AUTHORIZATION_EXPIRED' };
      repos.instances.recordAuthorization(expired);
      recordStateChange(repos, alerts, instance, expired, now, {
        message: `has not reported since ${new Date(instance.authorizedAt ?? now).toISOString()}: its authorization expired (its usage still counts)`,
      });
    }
    const swept = alerts.sweepIn(repos, now, renewals);
    const historyDaysPruned = repos.usageHistory.pruneBefore(utcDay(now) - USAGE_HISTORY_RETENTION_DAYS * MS_PER_DAY);
    return {
      ...swept, authorizationsExpired: authorizations.length, registrationsExpired: lapsedRegistrations.length, historyDaysPruned,
    };
  }

  /** The next time a line starts or ends: pools change then without any device report. */
  nextLineBoundary(): number | null {
    const now = this.#deps.clock.now();
    return this.#deps.uow.read((repos) => repos.alertCauses.nextLineBoundaryAfter(now));
  }
}

/** What authorizationsLapsedBy selects, checked again on a row read inside the write transaction. */
function stillLapsed(i: ProductInstance, now: number): boolean {
  return i.registrationState === 'REGISTERED' && i.authorizationExpiresAt !== null && i.authorizationExpiresAt <= now
    && (i.authorizationState === 'AUTHORIZED' || i.authorizationState === 'OUT_OF_COMPLIANCE' || i.authorizationState === 'NO_LICENSES_IN_USE');
}
