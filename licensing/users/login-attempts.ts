import type { Clock } from '../shared/clock.js';
import { DomainError } from '../shared/domain-error.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import { isLocked, type AdminUser } from './admin-user.js';
import { authEvent } from './auth-event.js';
import type { AuthPolicy } from './auth-policy.js';
import { verifyPassword } from './password-digest.js';

export interface PasswordCheckDeps { uow: UnitOfWork; clock: Clock; policy: AuthPolicy }

export interface PasswordCheckContext {
  /** What the password is for, in the event log: 'sign-in', 'password change', 'OAuth password grant'. */
  during: string;
  address?: string;
}

export type PasswordCheck<T> =
  | { kind: 'locked'; user: AdminUser }
  | { kind: 'wrong'; user: AdminUser; lockedNow: boolean }
  | { kind: 'right'; user: AdminUser; result: T }
  | { kind: 'gone' };

type Claim = { kind: 'locked'; user: AdminUser } | { kind: 'evaluate'; user: AdminUser; failures: number; locks: boolean } | { kind: 'gone' };

/**
 * Checks a user's password under the lockout rules, safely under concurrency. scrypt is slow and runs
 * outside any transaction, so parallel guesses must not all see the user unlocked: each attempt is counted
 * as a failure, and the lock set when the count reaches the limit, in a write transaction BEFORE the
 * password is evaluated. Once that limit is claimed every further attempt is refused as locked without
 * running scrypt; a right password then undoes the count (and a lock it set). `onRight` runs inside that
 * settling transaction, so a sign-in's session is created atomically with the reset.
 */
export async function checkPasswordWithLockout<T>(
  deps: PasswordCheckDeps, userId: string, password: string, context: PasswordCheckContext,
  onRight: (repos: Repositories, user: AdminUser, now: number) => T,
): Promise<PasswordCheck<T>> {
  const { uow, clock, policy } = deps;
  const address = context.address ?? null;
  const claimedAt = clock.now();
  const claim = uow.write((repos): Claim => {
    const user = repos.users.findById(userId);
    if (!user) return { kind: 'gone' };
    if (isLocked(user, claimedAt)) {
      repos.events.append(authEvent(claimedAt, user.username, 'USER_LOGIN_FAILED', `Refused (${context.during}): ${user.username} is locked`, {
        userId: user.id, reason: 'locked', address,
      }));
      return { kind: 'locked', user };
    }
    const failures = user.failedLogins + 1;
    const locks = failures >= policy.maxFailedLogins;
    // The count restarts at a lockout, so when the lock ends the user has the full number of attempts again.
    const claimed: AdminUser = {
      ...user, failedLogins: locks ? 0 : failures, lockedUntil: locks ? claimedAt + policy.lockoutMs : user.lockedUntil, updatedAt: claimedAt,
    };
    repos.users.update(claimed);
    return { kind: 'evaluate', user: claimed, failures, locks };
  });
  if (claim.kind !== 'evaluate') return claim;
  const passwordOk = await verifyPassword(password, claim.user.passwordDigest);
  const now = clock.now();
  return uow.write((repos): PasswordCheck<T> => {
    const user = repos.users.findById(userId);
    if (!user) return { kind: 'gone' };
    if (passwordOk) {
      const cleared: AdminUser = { ...user, failedLogins: 0, lockedUntil: null, updatedAt: now };
      repos.users.update(cleared);
      return { kind: 'right', user: cleared, result: onRight(repos, cleared, now) };
    }
    repos.events.append(authEvent(now, user.username, 'USER_LOGIN_FAILED', `Wrong password for ${user.username} (${context.during})`, {
      userId: user.id, reason: 'wrong password', failures: claim.failures, address,
    }));
    if (claim.locks) {
      repos.events.append(authEvent(now, 'system', 'USER_LOCKED_OUT', `User ${user.username} locked after ${claim.failures} failed sign-ins`, {
        userId: user.id, lockedUntil: claim.user.lockedUntil,
      }));
    }
    return { kind: 'wrong', user, lockedNow: claim.locks };
  });
}

export function recordSuccessfulLogin(repos: Repositories, user: AdminUser, now: number): AdminUser {
  const updated: AdminUser = { ...user, failedLogins: 0, lockedUntil: null, lastLoginAt: now, updatedAt: now };
  repos.users.update(updated);
  return updated;
}

/** 429 with the time the lock ends; sign-in turns retryAfterSeconds into a Retry-After header. */
export function lockedError(user: AdminUser, now: number): DomainError {
  const until = user.lockedUntil ?? now;
  return new DomainError('RATE_LIMITED', `${user.username} is locked after repeated failed sign-ins; try again after ${new Date(until).toISOString()}`, {
    lockedUntil: until, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
  });
}
