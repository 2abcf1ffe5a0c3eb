import type { LicenseLine } from '../licenses/license-line.js';
import type { SubstitutionLadders } from '../catalog/substitution-ladders.js';
import { describingLine, purchasedAt, type PoolState } from '../licenses/pool-evaluator.js';
import { MS_PER_DAY } from '../shared/clock.js';
import type { AlertDraft } from './alert-rules.js';

/**
 * The licensing engine's alerts (DESIGN §8.4, docs/alerts.md): pools short after substitution, license terms
 * ending or ended, and product instances whose inventory state needs an admin.
 */
export const INSUFFICIENT_LICENSES = 'INSUFFICIENT_LICENSES';
export const LICENSES_EXPIRING = 'LICENSES_EXPIRING';
export const LICENSES_EXPIRED = 'LICENSES_EXPIRED';
export const PRODUCT_INSTANCE_OUT_OF_COMPLIANCE = 'PRODUCT_INSTANCE_OUT_OF_COMPLIANCE';
export const PRODUCT_INSTANCE_FAILED_TO_CONNECT = 'PRODUCT_INSTANCE_FAILED_TO_CONNECT';
export const PRODUCT_INSTANCE_FAILED_TO_RENEW = 'PRODUCT_INSTANCE_FAILED_TO_RENEW';

export const POOL_MESSAGE_TYPES = [INSUFFICIENT_LICENSES, LICENSES_EXPIRING, LICENSES_EXPIRED] as const;
export const INSTANCE_STATE_MESSAGE_TYPES = [
  PRODUCT_INSTANCE_OUT_OF_COMPLIANCE, PRODUCT_INSTANCE_FAILED_TO_CONNECT, PRODUCT_INSTANCE_FAILED_TO_RENEW,
] as const;

/** Days before a line's end at which LICENSES_EXPIRING is raised again, nearest last (Major at the last). */
export const EXPIRY_WARNING_DAYS = [90, 60, 30] as const;

export const poolTarget = (virtualAccountId: string, tag: string): string => `${virtualAccountId}/${tag}`;

export interface PoolContext {
  virtualAccountId: string;
  virtualAccountName: string;
  accountId: string | null;
  tag: string;
  displayName: string;
}

export interface PoolNumbers { purchased: number; inUse: number; substitution: number; balance: number }

export function insufficientLicensesAlert(pool: PoolContext & PoolNumbers): AlertDraft {
  const borrowed = pool.substitution > 0 ? `, ${pool.substitution} from higher tiers` : '';
  return {
    severity: 'Major', messageType: INSUFFICIENT_LICENSES, source: pool.virtualAccountName, target: poolTarget(pool.virtualAccountId, pool.tag),
    message: `Insufficient licenses for ${pool.displayName} in virtual account ${pool.virtualAccountName}: ${pool.inUse} in use, `
      + `${pool.purchased} purchased${borrowed} (short by ${-pool.balance})`,
    accountId: pool.accountId, virtualAccountId: pool.virtualAccountId,
  };
}

export interface TermOutlook {
  /** The first future end that lowers the pool, within the warning window. */
  expiring: { endsAt: number; days: (typeof EXPIRY_WARNING_DAYS)[number]; quantity: number } | null;
  /** The latest end that lowered the pool and has not been made up since. */
  expired: { endedAt: number; quantity: number } | null;
}

/**
 * What a pool's lines say about its terms at `now`. An end counts only when it lowers what the pool holds, so
 * a renewal line that starts when the old one ends (or earlier) clears both alerts.
 */
export function termOutlook(lines: readonly LicenseLine[], now: number): TermOutlook {
  const current = purchasedAt(lines, now);
  const horizon = now + (EXPIRY_WARNING_DAYS[0] * MS_PER_DAY);
  const futureEnds = [...new Set(lines.map((l) => l.endsAt).filter((t): t is number => t !== null && t > now && t <= horizon))].sort((a, b) => a - b);
  let expiring: TermOutlook['expiring'] = null;
  for (const end of futureEnds) {
    const after = purchasedAt(lines, end);
    if (after >= current) continue;
    const daysLeft = (end - now) / MS_PER_DAY;
    const days = [...EXPIRY_WARNING_DAYS].reverse().find((d) => daysLeft <= d) ?? EXPIRY_WARNING_DAYS[0];
    expiring = { endsAt: end, days, quantity: current - after };
    break;
  }
  const pastEnds = lines.map((l) => l.endsAt).filter((t): t is number => t !== null && t <= now);
  let expired: TermOutlook['expired'] = null;
  if (pastEnds.length > 0) {
    const endedAt = Math.max(...pastEnds);
    const before = purchasedAt(lines, endedAt - 1);
    if (current < before) expired = { endedAt, quantity: before - current };
  }
  return { expiring, expired };
}

export function licensesExpiringAlert(pool: PoolContext, expiring: NonNullable<TermOutlook['expiring']>): AlertDraft {
  return {
    severity: expiring.days <= 30 ? 'Major' : 'Minor', messageType: LICENSES_EXPIRING, source: pool.virtualAccountName,
    target: poolTarget(pool.virtualAccountId, pool.tag),
    message: `${expiring.quantity} ${pool.displayName} license${expiring.quantity === 1 ? '' : 's'} in virtual account `
      + `${pool.virtualAccountName} end within ${expiring.days} days, on ${iso(expiring.endsAt)}`,
    accountId: pool.accountId, virtualAccountId: pool.virtualAccountId,
  };
}

export function licensesExpiredAlert(pool: PoolContext, expired: NonNullable<TermOutlook['expired']>, inUse: number): AlertDraft {
  return {
    severity: 'Major', messageType: LICENSES_EXPIRED, source: pool.virtualAccountName, target: poolTarget(pool.virtualAccountId, pool.tag),
    message: `${expired.quantity} ${pool.displayName} license${expired.quantity === 1 ? '' : 's'} in virtual account `
      + `${pool.virtualAccountName} ended on ${iso(expired.endedAt)} and ${inUse} ${inUse === 1 ? 'is' : 'are'} still in use`,
    accountId: pool.accountId, virtualAccountId: pool.virtualAccountId,
  };
}

export interface InstanceSubject {
  instanceId: string;
  label: string;
  virtualAccountId: string;
  virtualAccountName: string;
  accountId: string | null;
  authorizationState: string;
}

/** The alert an inventory state calls for, if any. */
export function instanceStateAlert(subject: InstanceSubject): AlertDraft | null {
  const base = { source: subject.virtualAccountName, target: subject.instanceId, accountId: subject.accountId, virtualAccountId: subject.virtualAccountId };
  switch (subject.authorizationState) {
    case 'OUT_OF_COMPLIANCE':
      return { ...base, severity: 'Major', messageType: PRODUCT_INSTANCE_OUT_OF_COMPLIANCE,
        message: `${subject.label} is out of compliance: its licenses have been short in consecutive reports` };
    case 'AUTHORIZATION_EXPIRED':
      return { ...base, severity: 'Major', messageType: PRODUCT_INSTANCE_FAILED_TO_CONNECT,
        message: `${subject.label} has not connected within its authorization period; its authorization expired (its usage still counts)` };
    case 'REGISTRATION_EXPIRED':
      return { ...base, severity: 'Major', messageType: PRODUCT_INSTANCE_FAILED_TO_RENEW,
        message: `${subject.label} did not renew its ID certificate; its registration expired and its licenses were released` };
    default:
      return null;
  }
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** How a pool's alerts name it: the describing line's display name, else the catalog's, else the tag. */
export function poolContext(
  va: { name: string; accountId: string } | undefined, virtualAccountId: string, pool: PoolState, ladders: SubstitutionLadders, now: number,
): PoolContext {
  const displayName = describingLine(pool.lines, now)?.displayName ?? ladders.entry(pool.tag)?.displayName ?? pool.tag;
  return { virtualAccountId, virtualAccountName: va?.name ?? virtualAccountId, accountId: va?.accountId ?? null, tag: pool.tag, displayName };
}

/** What the pool rules want for one pool: each pool message type with its draft, or null to clear it. */
export function poolWants(pool: PoolState, context: () => PoolContext, now: number): Array<[string, AlertDraft | null]> {
  const outlook = termOutlook(pool.lines, now);
  return [
    [INSUFFICIENT_LICENSES, pool.balance < 0 ? insufficientLicensesAlert({ ...context(), ...pool }) : null],
    [LICENSES_EXPIRING, outlook.expiring ? licensesExpiringAlert(context(), outlook.expiring) : null],
    // An ended line matters while devices still consume the tag (DESIGN §8.3).
    [LICENSES_EXPIRED, outlook.expired && pool.inUse > 0 ? licensesExpiredAlert(context(), outlook.expired, pool.inUse) : null],
  ];
}
