import { instanceLabel } from './alert-rules.js';
import type { ProductInstance } from '../instances/product-instance.js';
import { evaluateTags, evaluateVirtualAccount, type PoolState } from '../licenses/pool-evaluator.js';
import type { Clock } from '../shared/clock.js';
import { ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { LicensingTimers } from '../shared/licensing-timers.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import type { Alert, AlertSeverity } from './alert.js';
import {
  AUTHORIZATION_RENEWAL_FAILED, defaultAlertRuleSettings, renewalCutoff, renewalFailedAlert, renewalStatus,
  RESERVATION_PENDING_CONFIRMATION, reservationConfirmationOverdue, reservationPendingAlert, RULE_MESSAGE_TYPES, TOKEN_EXPIRING,
  tokenExpiringAlert, tokenNeedsWarning, type AlertDraft, type AlertRuleSettings, type PendingReservationSubject, type RenewalSubject,
} from './alert-rules.js';
import { scanChunks } from './alert-cause-repository.js';
import type { SweepScanner } from './sweep-scanner.js';
import type { Reservation } from '../reservations/reservation.js';
import {
  INSTANCE_STATE_MESSAGE_TYPES, instanceStateAlert, LICENSES_EXPIRING, poolContext, poolTarget, poolWants, type PoolContext,
} from './license-alert-rules.js';
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
    if (tags.length === 0) return;
    const { pools, ladders } = evaluateTags(repos, virtualAccountId, tags, now);
    const va = repos.accounts.findVirtualAccountById(virtualAccountId);
    for (const pool of pools.values()) {
      const context = (): PoolContext => poolContext(va, virtualAccountId, pool, ladders, now);
      for (const [messageType, draft] of poolWants(pool, context, now)) this.#reconcile(repos, messageType, poolTarget(virtualAccountId, pool.tag), draft, now);
      if (va && (pool.lines.length > 0 || pool.inUse > 0)) recordUsageDay(repos, virtualAccountId, pool, now);
    }
  }

  instanceAuthorized(repos: Repositories, previous: ProductInstance, now: number): void {
    // Only an instance the rule could have flagged can carry the alert, so the usual renewal costs no query.
    if (renewalStatus(previous, now, this.#deps.timers.authorizationRenewAfterMs, this.#settings) === 'CURRENT') return;
    this.#reconcile(repos, AUTHORIZATION_RENEWAL_FAILED, previous.id, null, now);
  }

  authorizationCleared(repos: Repositories, instanceId: string, now: number): void {
    for (const type of [AUTHORIZATION_RENEWAL_FAILED, ...INSTANCE_STATE_MESSAGE_TYPES]) this.#reconcile(repos, type, instanceId, null, now);
  }

  instanceStateChanged(repos: Repositories, instance: ProductInstance, now: number): void {
    const va = repos.accounts.findVirtualAccountById(instance.virtualAccountId);
    const draft = instanceStateAlert({
      instanceId: instance.id, label: instanceLabel(instance), virtualAccountId: instance.virtualAccountId,
      virtualAccountName: va?.name ?? instance.virtualAccountId, accountId: va?.accountId ?? null, authorizationState: instance.authorizationState,
    });
    for (const type of INSTANCE_STATE_MESSAGE_TYPES) this.#reconcile(repos, type, instance.id, draft?.messageType === type ? draft : null, now);
    // An expired authorization is reported by its own alert from now on; the overdue warning has done its job.
    if (instance.authorizationState !== 'AUTHORIZED' && instance.authorizationState !== 'NO_LICENSES_IN_USE'
      && instance.authorizationState !== 'OUT_OF_COMPLIANCE') this.#reconcile(repos, AUTHORIZATION_RENEWAL_FAILED, instance.id, null, now);
  }

  tokenChanged(repos: Repositories, tokenId: string, now: number): void {
    const token = repos.tokens.findById(tokenId);
    const want = token && tokenNeedsWarning(token, now, this.#settings) ? (() => {
      const va = repos.accounts.findVirtualAccountById(token.virtualAccountId);
      return tokenExpiringAlert(token, { accountId: va?.accountId ?? null, virtualAccountName: va?.name ?? token.virtualAccountId });
    })() : null;
    this.#reconcile(repos, TOKEN_EXPIRING, tokenId, want, now);
  }

  /** A reservation was updated, confirmed, returned or removed (licensing/reservations/). */
  reservationChanged(repos: Repositories, instanceId: string, now: number): void {
    const reservation = repos.reservations.findById(instanceId);
    const want = reservation && reservationConfirmationOverdue(reservation, now, this.#settings)
      ? reservationPendingAlert(pendingSubject(repos, reservation))
      : null;
    this.#reconcile(repos, RESERVATION_PENDING_CONFIRMATION, instanceId, want, now);
  }

  /** Re-evaluates every rule for every target in one transaction: the periodic job and `sync now` call this. */
  sweep(): SweepResult {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => this.sweepIn(repos, now));
  }

  /**
   * The same inside a caller's transaction (the compliance sweep runs it after updating inventory states).
   * Every pool of every VA is re-evaluated with substitution, and each gets its usage-history row for the day.
   */
  /**
   * `gatheredRenewals`: renewal candidates read before this transaction (gatherRenewals). They are trusted for
   * alerts already active, and re-read (currentRenewals) only where an alert would be raised, so a steady
   * state costs no read per overdue instance.
   */
  sweepIn(repos: Repositories, now: number, gatheredRenewals?: readonly RenewalSubject[]): SweepResult {
    const renewAfter = this.#deps.timers.authorizationRenewAfterMs;
    const cutoff = renewalCutoff(now, renewAfter, this.#settings);
    const wanted = new Map<string, AlertDraft>();
    const want = (draft: AlertDraft): void => {
      wanted.set(key(draft.messageType, draft.target), draft);
    };
    for (const account of repos.accounts.listAccounts()) {
      for (const va of repos.accounts.listVirtualAccounts(account.id)) {
        const { pools, ladders } = evaluateVirtualAccount(repos, va.id, now);
        for (const pool of pools.values()) {
          const context = (): PoolContext => poolContext(va, va.id, pool, ladders, now);
          for (const [, draft] of poolWants(pool, context, now)) if (draft) want(draft);
          recordUsageDay(repos, va.id, pool, now);
        }
      }
    }
    for (const { token, ...context } of repos.alertCauses.tokensExpiringBy(now, now + this.#settings.tokenExpiryWarningMs)) {
      if (tokenNeedsWarning(token, now, this.#settings)) want(tokenExpiringAlert(token, context));
    }
    const candidates = gatheredRenewals ?? [...scanChunks(repos.alertCauses.instanceSpan())].flatMap((chunk) => repos.alertCauses.renewalCandidates(cutoff, chunk));
    for (const subject of candidates) {
      if (renewalStatus(subject, now, renewAfter, this.#settings) === 'OVERDUE') want(renewalFailedAlert(subject));
    }
    for (const subject of repos.alertCauses.instancesInStates(['OUT_OF_COMPLIANCE', 'AUTHORIZATION_EXPIRED', 'REGISTRATION_EXPIRED'])) {
      const draft = instanceStateAlert(subject);
      if (draft) want(draft);
    }
    for (const reservation of repos.reservations.listInTransitSince(now - this.#settings.reservationConfirmationMs)) {
      want(reservationPendingAlert(pendingSubject(repos, reservation)));
    }
    const result: SweepResult = { raised: 0, cleared: 0 };
    for (const active of repos.alertCauses.activeAlertsOfTypes(RULE_MESSAGE_TYPES)) {
      const draft = wanted.get(key(active.messageType, active.target));
      wanted.delete(key(active.messageType, active.target));
      if (draft && sameEpisode(active, draft)) continue;
      repos.alerts.clear(active.messageType, active.target, now);
      result.cleared += 1;
      const fresh = draft && this.#fresh(repos, draft, gatheredRenewals !== undefined, now);
      if (fresh) {
        this.#insert(repos, fresh, now);
        result.raised += 1;
      }
    }
    for (const draft of wanted.values()) {
      const fresh = this.#fresh(repos, draft, gatheredRenewals !== undefined, now);
      if (!fresh) continue;
      this.#insert(repos, fresh, now);
      result.raised += 1;
    }
    return result;
  }

  /**
   * The renewal candidates, read by `scanner` (sweep-scanner.ts: in chunks that yield, or on a reader thread):
   * the periodic sweep gathers these before its write transaction and hands them to sweepIn.
   */
  gatherRenewals(now: number, scanner: Pick<SweepScanner, 'renewalCandidates'>): Promise<RenewalSubject[]> {
    return scanner.renewalCandidates(renewalCutoff(now, this.#deps.timers.authorizationRenewAfterMs, this.#settings));
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

  /** A renewal alert built from gathered candidates is raised only if the instance, read now, is still overdue. */
  #fresh(repos: Repositories, draft: AlertDraft, gathered: boolean, now: number): AlertDraft | null {
    if (!gathered || draft.messageType !== AUTHORIZATION_RENEWAL_FAILED) return draft;
    const renewAfter = this.#deps.timers.authorizationRenewAfterMs;
    const instance = repos.instances.findById(draft.target);
    if (!instance || instance.registrationState !== 'REGISTERED' || renewalStatus(instance, now, renewAfter, this.#settings) !== 'OVERDUE') return null;
    const va = repos.accounts.findVirtualAccountById(instance.virtualAccountId);
    return renewalFailedAlert({
      instanceId: instance.id, label: instanceLabel(instance), virtualAccountId: instance.virtualAccountId,
      virtualAccountName: va?.name ?? instance.virtualAccountId, accountId: va?.accountId ?? '',
      authorizedAt: instance.authorizedAt, authorizationExpiresAt: instance.authorizationExpiresAt,
    });
  }

  #reconcile(repos: Repositories, messageType: string, target: string, want: AlertDraft | null, now: number): void {
    const active = repos.alertCauses.activeAlert(messageType, target);
    if (!want) {
      if (active) repos.alerts.clear(messageType, target, now);
      return;
    }
    if (active && sameEpisode(active, want)) return;
    // A change of severity (or of expiry stage) is a new alert: the history keeps when the cause got worse.
    if (active) repos.alerts.clear(messageType, target, now);
    this.#insert(repos, want, now);
  }

  #insert(repos: Repositories, draft: AlertDraft, now: number): Alert {
    return repos.alerts.raise({ id: this.#deps.newId(), ...draft, raisedAt: now, clearedAt: null });
  }
}

/**
 * Whether an active alert already says what a rule wants. LICENSES_EXPIRING is raised again at each stage
 * (90, 60, 30 days), so its message, which names the stage, decides; for the others only the severity does,
 * so a short pool whose numbers move keeps one alert.
 */
function sameEpisode(active: Alert, draft: AlertDraft): boolean {
  if (active.severity !== draft.severity) return false;
  return active.messageType !== LICENSES_EXPIRING || active.message === draft.message;
}

function recordUsageDay(repos: Repositories, virtualAccountId: string, pool: PoolState, now: number): void {
  repos.usageHistory.record({ virtualAccountId, tag: pool.tag, at: now, inUse: pool.inUse, purchased: pool.purchased, balance: pool.balance });
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

function pendingSubject(repos: Repositories, reservation: Reservation): PendingReservationSubject {
  const va = repos.accounts.findVirtualAccountById(reservation.virtualAccountId);
  return {
    instanceId: reservation.instanceId, inTransitSince: reservation.inTransitSince,
    label: `${reservation.udi.pid} ${reservation.udi.serialNumber}`, virtualAccountId: reservation.virtualAccountId,
    virtualAccountName: va?.name ?? reservation.virtualAccountId, accountId: va?.accountId ?? null,
  };
}
