import type { ProductInstance } from '../instances/product-instance.js';
import { isLineActive } from '../licenses/license-line.js';
import type { Clock } from '../shared/clock.js';
import { ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { LicensingTimers } from '../shared/licensing-timers.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import type { Alert, AlertSeverity } from './alert.js';
import {
  AUTHORIZATION_RENEWAL_FAILED, defaultAlertRuleSettings, INSUFFICIENT_LICENSES, insufficientLicensesAlert, isPoolShort,
  poolTarget, renewalCutoff, renewalFailedAlert, renewalStatus, RESERVATION_PENDING_CONFIRMATION, reservationConfirmationOverdue,
  reservationPendingAlert, RULE_MESSAGE_TYPES, TOKEN_EXPIRING, tokenExpiringAlert, tokenNeedsWarning,
  type AlertDraft, type AlertRuleSettings, type PendingReservationSubject,
} from './alert-rules.js';
import type { Reservation } from '../reservations/reservation.js';
import type { AlertTriggers } from './alert-triggers.js';

export interface AlertServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: IdGenerator;
  timers: LicensingTimers;
  settings?: AlertRuleSettings;
}

/** An alert raised by another part of the satellite (sync), which also decides when it clears. */
export interface ExternalAlert {
  messageType: string;
  severity: AlertSeverity;
  source: string;
  target: string;
  message: string;
  accountId?: string | null;
  virtualAccountId?: string | null;
}

export interface SweepResult { raised: number; cleared: number }

/** What a rule wants for one target: nothing (clear it) or an alert of a severity, built only when needed. */
type Want = null | { severity: AlertSeverity; draft: () => AlertDraft };

/**
 * Applies the alert rules: targeted re-evaluation inside the transactions of the writes that may change a
 * cause (AlertTriggers), a periodic sweep for causes that time alone creates or removes, and a port for
 * alerts whose rules live elsewhere (sync). Nothing is written unless an alert's state actually changes.
 */
export class AlertService implements AlertTriggers {
  readonly #deps: AlertServiceDeps;
  readonly #settings: AlertRuleSettings;

  constructor(deps: AlertServiceDeps) {
    this.#deps = deps;
    this.#settings = deps.settings ?? defaultAlertRuleSettings;
  }

  poolsChanged(repos: Repositories, virtualAccountId: string, tags: readonly string[], now: number): void {
    for (const tag of tags) {
      const usage = repos.licenses.getUsage(virtualAccountId, tag);
      const purchased = repos.licenses.purchasedQuantity(virtualAccountId, tag, now);
      const numbers = { purchased, requested: usage.requested, reserved: usage.reserved };
      const want: Want = isPoolShort(numbers) ? {
        severity: 'Major',
        draft: () => {
          const va = repos.accounts.findVirtualAccountById(virtualAccountId);
          const lines = repos.licenses.listLinesForTag(virtualAccountId, tag);
          const describing = lines.find((line) => isLineActive(line, now)) ?? lines[0];
          return insufficientLicensesAlert({
            ...numbers, virtualAccountId, tag, virtualAccountName: va?.name ?? virtualAccountId,
            accountId: va?.accountId ?? null, displayName: describing?.displayName ?? null,
          });
        },
      } : null;
      this.#reconcile(repos, INSUFFICIENT_LICENSES, poolTarget(virtualAccountId, tag), want, now);
    }
  }

  instanceAuthorized(repos: Repositories, previous: ProductInstance, now: number): void {
    // Only an instance the rule could have flagged can carry the alert, so the usual renewal costs no query.
    if (renewalStatus(previous, now, this.#deps.timers.authorizationRenewAfterMs, this.#settings) === 'CURRENT') return;
    this.#reconcile(repos, AUTHORIZATION_RENEWAL_FAILED, previous.id, null, now);
  }

  authorizationCleared(repos: Repositories, instanceId: string, now: number): void {
    this.#reconcile(repos, AUTHORIZATION_RENEWAL_FAILED, instanceId, null, now);
  }

  tokenChanged(repos: Repositories, tokenId: string, now: number): void {
    const token = repos.tokens.findById(tokenId);
    const want: Want = token && tokenNeedsWarning(token, now, this.#settings) ? {
      severity: 'Minor',
      draft: () => {
        const va = repos.accounts.findVirtualAccountById(token.virtualAccountId);
        return tokenExpiringAlert(token, { accountId: va?.accountId ?? null, virtualAccountName: va?.name ?? token.virtualAccountId });
      },
    } : null;
    this.#reconcile(repos, TOKEN_EXPIRING, tokenId, want, now);
  }

  /** A reservation was updated, confirmed, returned or removed (licensing/reservations/). */
  reservationChanged(repos: Repositories, instanceId: string, now: number): void {
    const reservation = repos.reservations.findById(instanceId);
    const want: Want = reservation && reservationConfirmationOverdue(reservation, now, this.#settings)
      ? { severity: 'Minor', draft: () => reservationPendingAlert(pendingSubject(repos, reservation)) }
      : null;
    this.#reconcile(repos, RESERVATION_PENDING_CONFIRMATION, instanceId, want, now);
  }

  /** Re-evaluates every rule for every target in one transaction: the periodic job and `sync now` call this. */
  sweep(): SweepResult {
    const now = this.#deps.clock.now();
    const renewAfter = this.#deps.timers.authorizationRenewAfterMs;
    return this.#deps.uow.write((repos) => {
      const wanted = new Map<string, AlertDraft>();
      const want = (draft: AlertDraft): void => {
        wanted.set(key(draft.messageType, draft.target), draft);
      };
      for (const pool of repos.alertCauses.insufficientPools(now)) want(insufficientLicensesAlert(pool));
      for (const { token, ...context } of repos.alertCauses.tokensExpiringBy(now, now + this.#settings.tokenExpiryWarningMs)) {
        if (tokenNeedsWarning(token, now, this.#settings)) want(tokenExpiringAlert(token, context));
      }
      for (const subject of repos.alertCauses.renewalCandidates(renewalCutoff(now, renewAfter, this.#settings), now)) {
        const status = renewalStatus(subject, now, renewAfter, this.#settings);
        if (status !== 'CURRENT') want(renewalFailedAlert(subject, status));
      }
      for (const reservation of repos.reservations.listInTransitSince(now - this.#settings.reservationConfirmationMs)) {
        want(reservationPendingAlert(pendingSubject(repos, reservation)));
      }
      const result: SweepResult = { raised: 0, cleared: 0 };
      for (const active of repos.alertCauses.activeAlertsOfTypes(RULE_MESSAGE_TYPES)) {
        const draft = wanted.get(key(active.messageType, active.target));
        wanted.delete(key(active.messageType, active.target));
        if (draft && draft.severity === active.severity) continue;
        repos.alerts.clear(active.messageType, active.target, now);
        result.cleared += 1;
        if (draft) {
          this.#insert(repos, draft, now);
          result.raised += 1;
        }
      }
      for (const draft of wanted.values()) {
        this.#insert(repos, draft, now);
        result.raised += 1;
      }
      return result;
    });
  }

  /** For causes the rules here do not know (sync overdue, upstream notices). Raising twice keeps one alert. */
  raiseExternal(alert: ExternalAlert): Alert {
    return this.#deps.uow.write((repos) => this.raiseExternalIn(repos, alert, this.#deps.clock.now()));
  }

  /** The same, inside a caller's transaction. */
  raiseExternalIn(repos: Repositories, alert: ExternalAlert, now: number): Alert {
    requireExternalType(alert.messageType);
    const draft: AlertDraft = { ...alert, accountId: alert.accountId ?? null, virtualAccountId: alert.virtualAccountId ?? null };
    const active = repos.alertCauses.activeAlert(alert.messageType, alert.target);
    if (active && active.severity === alert.severity) return active;
    if (active) repos.alerts.clear(alert.messageType, alert.target, now);
    return this.#insert(repos, draft, now);
  }

  /** Returns whether an active alert was cleared. */
  clearExternal(messageType: string, target: string): boolean {
    return this.#deps.uow.write((repos) => this.clearExternalIn(repos, messageType, target, this.#deps.clock.now()));
  }

  clearExternalIn(repos: Repositories, messageType: string, target: string, now: number): boolean {
    requireExternalType(messageType);
    return repos.alerts.clear(messageType, target, now) > 0;
  }

  #reconcile(repos: Repositories, messageType: string, target: string, want: Want, now: number): void {
    const active = repos.alertCauses.activeAlert(messageType, target);
    if (!want) {
      if (active) repos.alerts.clear(messageType, target, now);
      return;
    }
    if (active && active.severity === want.severity) return;
    // A change of severity is a new alert: the history keeps when the cause got worse.
    if (active) repos.alerts.clear(messageType, target, now);
    this.#insert(repos, want.draft(), now);
  }

  #insert(repos: Repositories, draft: AlertDraft, now: number): Alert {
    return repos.alerts.raise({ id: this.#deps.newId(), ...draft, raisedAt: now, clearedAt: null });
  }
}

function pendingSubject(repos: Repositories, reservation: Reservation): PendingReservationSubject {
  const va = repos.accounts.findVirtualAccountById(reservation.virtualAccountId);
  return {
    instanceId: reservation.instanceId, inTransitSince: reservation.inTransitSince,
    label: `${reservation.udi.pid} ${reservation.udi.serialNumber}`, virtualAccountId: reservation.virtualAccountId,
    virtualAccountName: va?.name ?? reservation.virtualAccountId, accountId: va?.accountId ?? null,
  };
}

function key(messageType: string, target: string): string {
  return `${messageType}\u0000${target}`;
}

/** The rules' own types are managed only by the rules, or the sweep would clear an external raise. */
function requireExternalType(messageType: string): void {
  if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(messageType)) {
    throw new ValidationError('messageType must be UPPER_SNAKE_CASE, at most 64 characters', { field: 'messageType' });
  }
  if (RULE_MESSAGE_TYPES.includes(messageType)) {
    throw new ValidationError(`${messageType} is raised and cleared by the satellite's own rules`, { field: 'messageType' });
  }
}
