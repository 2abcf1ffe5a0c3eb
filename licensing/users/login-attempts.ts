import type { Repositories } from '../shared/unit-of-work.js';
import type { AdminUser } from './admin-user.js';
import { authEvent } from './auth-event.js';
import type { AuthPolicy } from './auth-policy.js';

/**
 * Counts a wrong password against a user (at sign-in, or as the current password of a change) and locks
 * the user once the count reaches the limit. Returns the updated user. Runs inside a write transaction.
 */
export function recordFailedPassword(repos: Repositories, user: AdminUser, now: number, policy: AuthPolicy, context: { address?: string; during: string }): AdminUser {
  const failures = user.failedLogins + 1;
  const locks = failures >= policy.maxFailedLogins;
  // The count restarts at a lockout, so when the lock ends the user has the full number of attempts again.
  const updated: AdminUser = {
    ...user, failedLogins: locks ? 0 : failures, lockedUntil: locks ? now + policy.lockoutMs : user.lockedUntil, updatedAt: now,
  };
  repos.users.update(updated);
  repos.events.append(authEvent(now, user.username, 'USER_LOGIN_FAILED', `Wrong password for ${user.username} (${context.during})`, {
    userId: user.id, reason: 'wrong password', failures, address: context.address ?? null,
  }));
  if (locks) {
    repos.events.append(authEvent(now, 'system', 'USER_LOCKED_OUT', `User ${user.username} locked after ${failures} failed sign-ins`, {
      userId: user.id, lockedUntil: updated.lockedUntil,
    }));
  }
  return updated;
}

export function recordSuccessfulLogin(repos: Repositories, user: AdminUser, now: number): AdminUser {
  const updated: AdminUser = { ...user, failedLogins: 0, lockedUntil: null, lastLoginAt: now, updatedAt: now };
  repos.users.update(updated);
  return updated;
}
