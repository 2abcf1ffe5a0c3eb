import { MS_PER_DAY } from '../shared/clock.js';
import { tokenState, type RegistrationToken } from '../tokens/registration-token.js';
import type { Alert } from './alert.js';
import { INSTANCE_STATE_MESSAGE_TYPES, POOL_MESSAGE_TYPES } from './license-alert-rules.js';

export { INSUFFICIENT_LICENSES, poolTarget } from './license-alert-rules.js';

/**
 * The alerts the satellite raises and clears by itself (docs/alerts.md). Message types are stable API:
 * monitoring tools match on them through the toolkit alerts listing. The licensing engine's own rules
 * (pools, terms, inventory states) are in license-alert-rules.ts.
 */
export const TOKEN_EXPIRING = 'TOKEN_EXPIRING';
export const AUTHORIZATION_RENEWAL_FAILED = 'AUTHORIZATION_RENEWAL_FAILED';
export const RESERVATION_PENDING_CONFIRMATION = 'RESERVATION_PENDING_CONFIRMATION';

/** The message types owned by these rules; the periodic sweep never touches any other (e.g. sync alerts). */
export const RULE_MESSAGE_TYPES: readonly string[] = [
  ...POOL_MESSAGE_TYPES, ...INSTANCE_STATE_MESSAGE_TYPES, TOKEN_EXPIRING, AUTHORIZATION_RENEWAL_FAILED, RESERVATION_PENDING_CONFIRMATION,
];

export interface AlertRuleSettings {
  /** A token this close to its expiry (and still usable) raises TOKEN_EXPIRING. */
  tokenExpiryWarningMs: number;
  /** How long past its renewal date a device may stay silent before AUTHORIZATION_RENEWAL_FAILED. */
  renewalGraceMs: number;
  /** How long a reservation update may wait for its confirmation code before RESERVATION_PENDING_CONFIRMATION. */
  reservationConfirmationMs: number;
}

export const defaultAlertRuleSettings: AlertRuleSettings = {
  tokenExpiryWarningMs: 7 * MS_PER_DAY,
  // Devices retry a failed renewal; a week of silence past the due date is a real problem, a day is noise.
  renewalGraceMs: 7 * MS_PER_DAY,
  reservationConfirmationMs: 7 * MS_PER_DAY,
};

/** What any rule wants to exist for one target; the alert service turns it into a raise or a clear. */
export type AlertDraft = Omit<Alert, 'id' | 'raisedAt' | 'clearedAt'>;

// ---- (2) a registration token about to expire ----

export function tokenNeedsWarning(token: RegistrationToken, now: number, settings: AlertRuleSettings): boolean {
  // Revoked, expired and used-up tokens can no longer surprise anyone, so they clear the warning.
  return tokenState(token, now) === 'ACTIVE' && token.expiresAt - now <= settings.tokenExpiryWarningMs;
}

export function tokenExpiringAlert(token: RegistrationToken, context: { accountId: string | null; virtualAccountName: string }): AlertDraft {
  const label = token.description ? `'${token.description}' (${token.id})` : token.id;
  return {
    severity: 'Minor', messageType: TOKEN_EXPIRING, source: context.virtualAccountName, target: token.id,
    message: `Registration token ${label} in virtual account ${context.virtualAccountName} expires at ${iso(token.expiresAt)}`,
    accountId: context.accountId, virtualAccountId: token.virtualAccountId,
  };
}

// ---- (3) a product instance that failed to renew its authorization ----

export type RenewalStatus = 'CURRENT' | 'OVERDUE' | 'EXPIRED';

export interface RenewalTimes { authorizedAt: number | null; authorizationExpiresAt: number | null }

export interface RenewalSubject extends RenewalTimes {
  instanceId: string;
  label: string;
  virtualAccountId: string;
  virtualAccountName: string;
  accountId: string;
}

/** Overdue (Minor) once the renewal is a grace period late; expired (Major) once the authorization lapsed. */
export function renewalStatus(times: RenewalTimes, now: number, renewAfterMs: number, settings: AlertRuleSettings): RenewalStatus {
  if (times.authorizedAt === null) return 'CURRENT';
  if (times.authorizationExpiresAt !== null && now >= times.authorizationExpiresAt) return 'EXPIRED';
  return now > times.authorizedAt + renewAfterMs + settings.renewalGraceMs ? 'OVERDUE' : 'CURRENT';
}

/** Registered instances authorized before this time are the only candidates for rule (3). */
export function renewalCutoff(now: number, renewAfterMs: number, settings: AlertRuleSettings): number {
  return now - renewAfterMs - settings.renewalGraceMs;
}

/**
 * Overdue only: once the authorization has expired, the instance is AUTHORIZATION_EXPIRED and
 * PRODUCT_INSTANCE_FAILED_TO_CONNECT (Major) takes over, so the history shows when it got worse.
 */
export function renewalFailedAlert(subject: RenewalSubject): AlertDraft {
  const since = subject.authorizedAt === null ? 'never' : iso(subject.authorizedAt);
  const message = `${subject.label} has not renewed its authorization since ${since}; the renewal is overdue`;
  return {
    severity: 'Minor', messageType: AUTHORIZATION_RENEWAL_FAILED,
    source: subject.virtualAccountName, target: subject.instanceId, message,
    accountId: subject.accountId, virtualAccountId: subject.virtualAccountId,
  };
}

// ---- (4) a reservation update whose confirmation code has not come back ----

export interface PendingReservationSubject {
  instanceId: string;
  /** When the update in transit was issued; null when none is. */
  inTransitSince: number | null;
  label: string;
  virtualAccountId: string;
  virtualAccountName: string;
  accountId: string | null;
}

export function reservationConfirmationOverdue(subject: Pick<PendingReservationSubject, 'inTransitSince'>, now: number, settings: AlertRuleSettings): boolean {
  return subject.inTransitSince !== null && now - subject.inTransitSince >= settings.reservationConfirmationMs;
}

export function reservationPendingAlert(subject: PendingReservationSubject): AlertDraft {
  return {
    severity: 'Minor', messageType: RESERVATION_PENDING_CONFIRMATION, source: subject.virtualAccountName, target: subject.instanceId,
    message: `The reservation update of ${subject.label} issued at ${iso(subject.inTransitSince ?? 0)} has not been confirmed: `
      + 'enter the confirmation code the device printed when the authorization code was installed',
    accountId: subject.accountId, virtualAccountId: subject.virtualAccountId,
  };
}

export function instanceLabel(instance: { hostname: string | null; udi: { pid: string; serialNumber: string } }): string {
  const udi = `${instance.udi.pid} ${instance.udi.serialNumber}`;
  return instance.hostname ? `${instance.hostname} (${udi})` : udi;
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
