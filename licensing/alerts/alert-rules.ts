import { poolStatus } from '../licenses/license-pool.js';
import { MS_PER_DAY } from '../shared/clock.js';
import { tokenState, type RegistrationToken } from '../tokens/registration-token.js';
import type { Alert } from './alert.js';

/**
 * The alerts the satellite raises and clears by itself (docs/alerts.md). Message types are stable API:
 * monitoring tools match on them through the toolkit alerts listing.
 */
export const INSUFFICIENT_LICENSES = 'INSUFFICIENT_LICENSES';
export const TOKEN_EXPIRING = 'TOKEN_EXPIRING';
export const AUTHORIZATION_RENEWAL_FAILED = 'AUTHORIZATION_RENEWAL_FAILED';
export const RESERVATION_PENDING_CONFIRMATION = 'RESERVATION_PENDING_CONFIRMATION';

/** The message types owned by these rules; the periodic sweep never touches any other (e.g. sync alerts). */
export const RULE_MESSAGE_TYPES: readonly string[] = [
  INSUFFICIENT_LICENSES, TOKEN_EXPIRING, AUTHORIZATION_RENEWAL_FAILED, RESERVATION_PENDING_CONFIRMATION,
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

// ---- (1) insufficient licenses in a pool ----

export interface PoolNumbers { purchased: number; requested: number; reserved: number }

export interface PoolSubject extends PoolNumbers {
  virtualAccountId: string;
  virtualAccountName: string;
  accountId: string | null;
  tag: string;
  displayName: string | null;
}

export const poolTarget = (virtualAccountId: string, tag: string): string => `${virtualAccountId}/${tag}`;

export function isPoolShort(pool: PoolNumbers): boolean {
  return poolStatus(pool) === 'INSUFFICIENT';
}

export function insufficientLicensesAlert(pool: PoolSubject): AlertDraft {
  const need = pool.requested + pool.reserved;
  return {
    severity: 'Major', messageType: INSUFFICIENT_LICENSES, source: pool.virtualAccountName,
    target: poolTarget(pool.virtualAccountId, pool.tag),
    message: `Insufficient licenses for ${pool.displayName ?? pool.tag} in virtual account ${pool.virtualAccountName}: `
      + `${need} requested or reserved, ${pool.purchased} purchased (short by ${need - pool.purchased})`,
    accountId: pool.accountId, virtualAccountId: pool.virtualAccountId,
  };
}

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

export function renewalFailedAlert(subject: RenewalSubject, status: Exclude<RenewalStatus, 'CURRENT'>): AlertDraft {
  const since = subject.authorizedAt === null ? 'never' : iso(subject.authorizedAt);
  const message = status === 'EXPIRED'
    ? `${subject.label} has not renewed its authorization since ${since}; it expired at ${iso(subject.authorizationExpiresAt ?? 0)}`
    : `${subject.label} has not renewed its authorization since ${since}; the renewal is overdue`;
  return {
    severity: status === 'EXPIRED' ? 'Major' : 'Minor', messageType: AUTHORIZATION_RENEWAL_FAILED,
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
