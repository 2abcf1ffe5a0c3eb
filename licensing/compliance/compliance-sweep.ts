import type { AlertService, SweepResult } from '../alerts/alert-service.js';
import { changedPoolTags, releaseInstanceUsage } from '../device/usage-ledger.js';
import { recordStateChange } from '../instances/instance-state-change.js';
import type { ProductInstance } from '../instances/product-instance.js';
import { USAGE_HISTORY_RETENTION_DAYS, utcDay } from '../licenses/usage-history.js';
import { MS_PER_DAY, type Clock } from '../shared/clock.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';

export interface ComplianceSweepDeps {
  uow: UnitOfWork;
  clock: Clock;
  alerts: AlertService;
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

  run(): ComplianceSweepResult {
    const now = this.#deps.clock.now();
    const alerts = this.#deps.alerts;
    return this.#deps.uow.write((repos) => {
      // A lapsed certificate first: such an instance is REGISTRATION_EXPIRED whatever its authorization says.
      const lapsedRegistrations = repos.alertCauses.registrationsLapsedBy(now);
      for (const instance of lapsedRegistrations) {
        const released = releaseInstanceUsage(repos, instance);
        const expired: ProductInstance = { ...instance, authorizationState: 'REGISTRATION_EXPIRED', shortReportStreak: 0 };
        repos.instances.update(expired);
        recordStateChange(repos, alerts, instance, expired, now, {
          message: 'did not renew its ID certificate: its registration expired and its licenses returned to the pool',
          details: { releasedTags: released.map((e) => e.tag) },
        });
        alerts.poolsChanged(repos, instance.virtualAccountId, changedPoolTags(released, []), now);
      }
      const lapsedAuthorizations = repos.alertCauses.authorizationsLapsedBy(now);
      for (const instance of lapsedAuthorizations) {
        const expired: ProductInstance = { ...instance, authorizationState: 'AUTHORIZATION_EXPIRED' };
        repos.instances.recordAuthorization(expired);
        recordStateChange(repos, alerts, instance, expired, now, {
          message: `has not reported since ${new Date(instance.authorizedAt ?? now).toISOString()}: its authorization expired (its usage still counts)`,
        });
      }
      const swept = alerts.sweepIn(repos, now);
      const historyDaysPruned = repos.usageHistory.pruneBefore(utcDay(now) - USAGE_HISTORY_RETENTION_DAYS * MS_PER_DAY);
      return {
        ...swept, authorizationsExpired: lapsedAuthorizations.length, registrationsExpired: lapsedRegistrations.length, historyDaysPruned,
      };
    });
  }

  /** The next time a line starts or ends: pools change then without any device report. */
  nextLineBoundary(): number | null {
    const now = this.#deps.clock.now();
    return this.#deps.uow.read((repos) => repos.alertCauses.nextLineBoundaryAfter(now));
  }
}
