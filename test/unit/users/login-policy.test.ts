import assert from 'node:assert/strict';
import { beforeAll, describe, it } from 'vitest';
import type { SatelliteEvent } from '../../../licensing/events/satellite-event.js';
import { ManualClock } from '../../../licensing/shared/clock.js';
import type { Repositories, UnitOfWork } from '../../../licensing/shared/unit-of-work.js';
import { requireUserAdministrator } from '../../../licensing/users/actor.js';
import { sessionEndsAt } from '../../../licensing/users/admin-session.js';
import { isLocked, type AdminUser } from '../../../licensing/users/admin-user.js';
import { defaultAuthPolicy } from '../../../licensing/users/auth-policy.js';
import { checkPasswordWithLockout, recordSuccessfulLogin } from '../../../licensing/users/login-attempts.js';
import { digestPassword } from '../../../licensing/users/password-digest.js';
import type { Principal } from '../../../licensing/users/principal.js';

const T0 = Date.UTC(2026, 0, 1);

const user = (over: Partial<AdminUser> = {}): AdminUser => ({
  id: 'u1', username: 'olga', role: 'operator', accountScope: null, passwordDigest: 'scrypt$...', mustChangePassword: false,
  disabled: false, failedLogins: 0, lockedUntil: null, lastLoginAt: null, passwordChangedAt: T0, createdAt: T0, updatedAt: T0, ...over,
});

/** Just the two repositories the login bookkeeping touches, behind a unit of work that runs work at once. */
function fakeStore(initial: AdminUser): { uow: UnitOfWork; current: () => AdminUser; events: SatelliteEvent[] } {
  let stored = initial;
  const events: SatelliteEvent[] = [];
  const repos = {
    users: { findById: (id: string) => (id === stored.id ? stored : undefined), update: (u: AdminUser) => { stored = u; } },
    events: { append: (e: SatelliteEvent) => events.push(e) },
  } as unknown as Repositories;
  const uow = { write: <T>(work: (r: Repositories) => T) => work(repos), read: <T>(work: (r: Repositories) => T) => work(repos) } as UnitOfWork;
  return { uow, current: () => stored, events };
}

describe('password checks under the lockout rules', () => {
  let digest = '';
  beforeAll(async () => { digest = await digestPassword('olga-password'); });
  const check = (store: ReturnType<typeof fakeStore>, password: string, address?: string) => checkPasswordWithLockout(
    { uow: store.uow, clock: new ManualClock(T0), policy: defaultAuthPolicy }, 'u1', password,
    { during: 'sign-in', ...(address ? { address } : {}) }, () => 'signed in',
  );

  it('counts failures and locks for the lockout period at the limit, restarting the count', async () => {
    const store = fakeStore(user({ passwordDigest: digest }));
    for (let i = 1; i < defaultAuthPolicy.maxFailedLogins; i += 1) {
      assert.deepEqual(await check(store, 'wrong'), { kind: 'wrong', user: store.current(), lockedNow: false });
      assert.equal(store.current().failedLogins, i);
    }
    const fifth = await check(store, 'wrong', '10.0.0.1');
    assert.equal(fifth.kind === 'wrong' && fifth.lockedNow, true);
    assert.equal(store.current().failedLogins, 0);
    assert.equal(store.current().lockedUntil, T0 + 15 * 60_000);
    assert.equal(isLocked(store.current(), T0 + 15 * 60_000 - 1), true);
    assert.equal(isLocked(store.current(), T0 + 15 * 60_000), false);
    assert.equal((await check(store, 'olga-password')).kind, 'locked');
    assert.deepEqual(store.events.map((e) => e.type), [...Array(5).fill('USER_LOGIN_FAILED'), 'USER_LOCKED_OUT', 'USER_LOGIN_FAILED']);
    assert.equal(store.events[4]?.details.address, '10.0.0.1');
    assert.equal(store.events[6]?.details.reason, 'locked');
  });

  it('evaluates no more than the limit when attempts overlap', async () => {
    const store = fakeStore(user({ passwordDigest: digest }));
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => check(store, 'wrong')));
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), [...Array(3).fill('locked'), ...Array(5).fill('wrong')]);
  });

  it('a right password clears the count and any lock, and runs the success work', async () => {
    const store = fakeStore(user({ passwordDigest: digest, failedLogins: 3, lockedUntil: T0 - 1 }));
    const outcome = await check(store, 'olga-password');
    assert.equal(outcome.kind === 'right' && outcome.result, 'signed in');
    assert.deepEqual({ failed: store.current().failedLogins, locked: store.current().lockedUntil }, { failed: 0, locked: null });
  });

  it('a sign-in records its time', () => {
    const store = fakeStore(user());
    const after = store.uow.write((repos) => recordSuccessfulLogin(repos, store.current(), T0 + 5));
    assert.equal(after.lastLoginAt, T0 + 5);
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
