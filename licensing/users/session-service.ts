import type { Clock } from '../shared/clock.js';
import { DomainError } from '../shared/domain-error.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import { sessionEndsAt, type AdminSession } from './admin-session.js';
import { principalOfUser, type AdminUser } from './admin-user.js';
import { authEvent } from './auth-event.js';
import type { AuthPolicy } from './auth-policy.js';
import { checkPasswordWithLockout, lockedError, recordSuccessfulLogin } from './login-attempts.js';
import { verifyAgainstNothing } from './password-digest.js';
import type { Principal } from './principal.js';
import { csrfTokenFor, digestSecret, generateSecret } from './secret-digest.js';

export interface SignedIn {
  /** Goes into the cookie and nowhere else; only its digest is stored. */
  sessionId: string;
  csrfToken: string;
  user: AdminUser;
  /** When the session ends without further requests (idle limit), and at the latest (absolute limit). */
  idleExpiresAt: number;
  expiresAt: number;
}

export interface ActiveSession {
  user: AdminUser;
  principal: Principal;
  session: AdminSession;
  csrfToken: string;
  idleExpiresAt: number;
}

export interface SessionServiceDeps { uow: UnitOfWork; clock: Clock; policy: AuthPolicy }

const BAD_LOGIN = 'invalid username or password';
// Refreshing last_seen_at on every request would turn every read into a write; a minute of slack in the
// idle timeout is not worth that.
const TOUCH_AFTER_MS = 60_000;

type LoginOutcome =
  | { kind: 'ok'; signedIn: SignedIn }
  | { kind: 'refused'; error: DomainError };

/** Browser sign-in: password check, lockout, sessions with idle and absolute timeouts. */
export class SessionService {
  readonly #deps: SessionServiceDeps;

  constructor(deps: SessionServiceDeps) {
    this.#deps = deps;
  }

  async login(username: string, password: string, meta: { address?: string } = {}): Promise<SignedIn> {
    const { uow, clock, policy } = this.#deps;
    const address = meta.address ?? null;
    const known = uow.read((repos) => repos.users.findByUsername(username));
    const check = known
      ? await checkPasswordWithLockout(this.#deps, known.id, password, { during: 'sign-in', ...(meta.address ? { address: meta.address } : {}) },
        (repos, user, now): LoginOutcome => {
          if (user.disabled) {
            repos.events.append(authEvent(now, user.username, 'USER_LOGIN_FAILED', `Sign-in refused: ${user.username} is disabled`, { userId: user.id, reason: 'disabled', address }));
            return { kind: 'refused', error: new DomainError('FORBIDDEN', `user ${user.username} is disabled; ask an admin`) };
          }
          const signedInUser = recordSuccessfulLogin(repos, user, now);
          const sessionId = generateSecret();
          const session: AdminSession = { idDigest: digestSecret(sessionId), userId: user.id, createdAt: now, lastSeenAt: now, expiresAt: now + policy.sessionAbsoluteMs };
          repos.sessions.insert(session);
          repos.events.append(authEvent(now, user.username, 'USER_LOGIN', `User ${user.username} signed in`, { userId: user.id, address }));
          return {
            kind: 'ok',
            signedIn: {
              sessionId, csrfToken: csrfTokenFor(sessionId), user: signedInUser,
              idleExpiresAt: sessionEndsAt(session, policy.sessionIdleMs), expiresAt: session.expiresAt,
            },
          };
        })
      : { kind: 'gone' as const };
    const now = clock.now();
    switch (check.kind) {
      case 'locked': throw lockedError(check.user, now);
      case 'wrong': throw check.lockedNow ? lockedError(check.user, now) : new DomainError('UNAUTHENTICATED', BAD_LOGIN);
      case 'gone': {
        // Unknown users cost the same scrypt time as wrong passwords.
        await verifyAgainstNothing(password);
        uow.write((repos) => repos.events.append(authEvent(clock.now(), username.slice(0, 100), 'USER_LOGIN_FAILED', 'Sign-in failed: unknown user', { reason: 'unknown user', address })));
        throw new DomainError('UNAUTHENTICATED', BAD_LOGIN);
      }
      case 'right':
        if (check.result.kind === 'refused') throw check.result.error;
        return check.result.signedIn;
    }
  }

  /**
   * The session's user, read afresh on every request so that role changes, disabling and deletion apply at
   * once. Throws UNAUTHENTICATED for an unknown, ended or expired session.
   */
  resolve(sessionId: string): ActiveSession {
    const { uow, clock, policy } = this.#deps;
    const now = clock.now();
    const idDigest = digestSecret(sessionId);
    const found = uow.read((repos) => {
      const session = repos.sessions.findByDigest(idDigest);
      const user = session ? repos.users.findById(session.userId) : undefined;
      return session && user ? { session, user } : null;
    });
    if (!found || found.user.disabled) throw new DomainError('UNAUTHENTICATED', 'not signed in, or the session has ended; sign in again');
    if (now >= sessionEndsAt(found.session, policy.sessionIdleMs)) {
      uow.write((repos) => repos.sessions.delete(idDigest));
      throw new DomainError('UNAUTHENTICATED', 'the session has expired; sign in again');
    }
    let session = found.session;
    if (now - session.lastSeenAt >= TOUCH_AFTER_MS) {
      uow.write((repos) => repos.sessions.touch(idDigest, now));
      session = { ...session, lastSeenAt: now };
    }
    return {
      user: found.user, principal: principalOfUser(found.user), session, csrfToken: csrfTokenFor(sessionId),
      idleExpiresAt: sessionEndsAt(session, policy.sessionIdleMs),
    };
  }

  logout(sessionId: string): void {
    const now = this.#deps.clock.now();
    const idDigest = digestSecret(sessionId);
    this.#deps.uow.write((repos) => {
      const session = repos.sessions.findByDigest(idDigest);
      if (!session) return;
      repos.sessions.delete(idDigest);
      const user = repos.users.findById(session.userId);
      repos.events.append(authEvent(now, user?.username ?? session.userId, 'USER_LOGOUT', `User ${user?.username ?? session.userId} signed out`, { userId: session.userId }));
    });
  }

  prune(): number {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => repos.sessions.prune(now, now - this.#deps.policy.sessionIdleMs));
  }
}
