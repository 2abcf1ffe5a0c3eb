import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { SatelliteEvent } from '../../../licensing/events/satellite-event.js';
import type { Repositories } from '../../../licensing/shared/unit-of-work.js';
import { requireUserAdministrator } from '../../../licensing/users/actor.js';
import { sessionEndsAt } from '../../../licensing/users/admin-session.js';
import { isLocked, type AdminUser } from '../../../licensing/users/admin-user.js';
import { defaultAuthPolicy } from '../../../licensing/users/auth-policy.js';
import { recordFailedPassword, recordSuccessfulLogin } from '../../../licensing/users/login-attempts.js';
import type { Principal } from '../../../licensing/users/principal.js';

const T0 = Date.UTC(2026, 0, 1);

const user = (over: Partial<AdminUser> = {}): AdminUser => ({
  id: 'u1', username: 'olga', role: 'operator', accountScope: null, passwordDigest: 'scrypt$...', mustChangePassword: false,
  disabled: false, failedLogins: 0, lockedUntil: null, lastLoginAt: null, passwordChangedAt: T0, createdAt: T0, updatedAt: T0, ...over,
});

/** Just the two repositories the login bookkeeping touches. */
function fakeRepos(): { repos: Repositories; saved: AdminUser[]; events: SatelliteEvent[] } {
  const saved: AdminUser[] = [];
  const events: SatelliteEvent[] = [];
  const repos = { users: { update: (u: AdminUser) => saved.push(u) }, events: { append: (e: SatelliteEvent) => events.push(e) } };
  return { repos: repos as unknown as Repositories, saved, events };
}

describe('failed password bookkeeping', () => {
  it('counts failures and locks for the lockout period at the limit, restarting the count', () => {
    const { repos, events } = fakeRepos();
    let current = user();
    for (let i = 1; i < defaultAuthPolicy.maxFailedLogins; i += 1) {
      current = recordFailedPassword(repos, current, T0, defaultAuthPolicy, { during: 'sign-in' });
      assert.equal(current.failedLogins, i);
      assert.equal(isLocked(current, T0), false);
    }
    current = recordFailedPassword(repos, current, T0, defaultAuthPolicy, { during: 'sign-in', address: '10.0.0.1' });
    assert.equal(current.failedLogins, 0);
    assert.equal(current.lockedUntil, T0 + 15 * 60_000);
    assert.equal(isLocked(current, T0 + 15 * 60_000 - 1), true);
    assert.equal(isLocked(current, T0 + 15 * 60_000), false);
    assert.deepEqual(events.map((e) => e.type), [...Array(5).fill('USER_LOGIN_FAILED'), 'USER_LOCKED_OUT']);
    assert.equal(events[4]?.details.address, '10.0.0.1');
  });

  it('a success clears the count and any lock', () => {
    const { repos, saved } = fakeRepos();
    const after = recordSuccessfulLogin(repos, user({ failedLogins: 3, lockedUntil: T0 - 1 }), T0 + 5);
    assert.deepEqual({ failed: after.failedLogins, locked: after.lockedUntil, last: after.lastLoginAt }, { failed: 0, locked: null, last: T0 + 5 });
    assert.equal(saved.length, 1);
  });
});

describe('session timeouts', () => {
  const session = { idDigest: 'd', userId: 'u1', createdAt: T0, lastSeenAt: T0, expiresAt: T0 + 12 * 3_600_000 };

  it('end at the idle limit after the last request, but never after the absolute limit', () => {
    assert.equal(sessionEndsAt(session, 30 * 60_000), T0 + 30 * 60_000);
    assert.equal(sessionEndsAt({ ...session, lastSeenAt: T0 + 11.9 * 3_600_000 }, 30 * 60_000), session.expiresAt);
  });
});

describe('who may manage users and API clients', () => {
  const principal = (over: Partial<Principal>): Principal => ({ kind: 'user', id: 'p', name: 'p', role: 'admin', accountScope: null, ...over });

  it('an unscoped admin or a trusted local caller', () => {
    requireUserAdministrator(principal({}));
    requireUserAdministrator('cli');
    assert.throws(() => requireUserAdministrator(principal({ role: 'operator' })), { code: 'FORBIDDEN' });
    assert.throws(() => requireUserAdministrator(principal({ accountScope: ['a1'] })), { code: 'FORBIDDEN' });
  });
});
