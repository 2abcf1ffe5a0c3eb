import type { Clock } from '../shared/clock.js';
import { DomainError } from '../shared/domain-error.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import { sessionEndsAt, type AdminSession } from './admin-session.js';
import { principalOfUser } from './admin-user.js';
import { principalOfClient, type AccessToken, type ApiClient } from './api-client.js';
import { authEvent } from './auth-event.js';
import type { AuthPolicy } from './auth-policy.js';
import { checkPasswordWithLockout, lockedError } from './login-attempts.js';
import { verifyAgainstNothing } from './password-digest.js';
import type { Principal } from './principal.js';
import { digestSecret, generateSecret, sameDigest } from './secret-digest.js';

export interface IssuedAccessToken {
  accessToken: string;
  /** Seconds, as OAuth2 reports it. */
  expiresIn: number;
  expiresAt: number;
}

export interface AccessTokenServiceDeps { uow: UnitOfWork; clock: Clock; policy: AuthPolicy }

/** RFC 6749 §5.2 error codes a refusal carries in its details, for the token endpoint's answer. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';

const BAD_CLIENT = 'invalid client_id or client_secret';
const BAD_USER = 'invalid username or password';
// See lastSeenAt in SessionService: a minute of slack in the idle timer saves a write per request.
const TOUCH_AFTER_MS = 60_000;

/**
 * A password-grant token is stored as a session row of its user (no migration, and it ends with the user's
 * sessions: password change, disabling, deletion). Its digest carries a label, so a token can never be
 * replayed as a session cookie, nor a cookie as a bearer token.
 */
export function userTokenDigest(accessToken: string): string {
  return digestSecret(`satellite-user-bearer:${accessToken}`);
}

function oauthRefusal(error: OAuthErrorCode, message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(error === 'invalid_client' ? 'UNAUTHENTICATED' : 'VALIDATION_FAILED', message, { oauthError: error, ...details });
}

/** The token endpoint's grants (client credentials, password) and bearer-token checks (DESIGN §6, RFC 6749). */
export class AccessTokenService {
  readonly #deps: AccessTokenServiceDeps;

  constructor(deps: AccessTokenServiceDeps) {
    this.#deps = deps;
  }

  /** Client credentials grant. Unknown, revoked and wrong-secret clients get the same answer; the event log tells them apart. */
  issue(clientId: string, clientSecret: string, meta: { address?: string } = {}): IssuedAccessToken {
    const now = this.#deps.clock.now();
    const accessToken = generateSecret();
    const ttl = this.#deps.policy.accessTokenTtlMs;
    const outcome = this.#deps.uow.write((repos) => {
      const client = this.#authenticateClient(repos, clientId, clientSecret, now, meta);
      if (!client) return 'refused' as const;
      const token: AccessToken = { tokenDigest: digestSecret(accessToken), clientId: client.id, issuedAt: now, expiresAt: now + ttl };
      repos.accessTokens.insert(token);
      repos.events.append(authEvent(now, client.name, 'API_CLIENT_TOKEN_ISSUED', `Bearer token issued to API client ${client.name}`, {
        clientId: client.id, expiresAt: token.expiresAt, address: meta.address ?? null,
      }));
      return token;
    });
    // Thrown after the transaction so that the failure event is committed.
    if (outcome === 'refused') throw oauthRefusal('invalid_client', BAD_CLIENT);
    return { accessToken, expiresIn: Math.floor(ttl / 1000), expiresAt: outcome.expiresAt };
  }

  /**
   * Resource owner password grant (RFC 6749 §4.3), as some toolkit clients send it: the client must
   * authenticate too, but the token acts as the USER, with the user's role and account scope, under the
   * user's lockout rules. The client only vouches for the caller.
   */
  async issueForUser(client: { clientId: string; clientSecret: string }, username: string, password: string, meta: { address?: string } = {}): Promise<IssuedAccessToken> {
    const { uow, clock, policy } = this.#deps;
    const address = meta.address ?? null;
    const authenticated = uow.write((repos) => this.#authenticateClient(repos, client.clientId, client.clientSecret, clock.now(), meta));
    if (!authenticated) throw oauthRefusal('invalid_client', BAD_CLIENT);
    const accessToken = generateSecret();
    const ttl = policy.accessTokenTtlMs;
    const known = uow.read((repos) => repos.users.findByUsername(username));
    const check = known
      ? await checkPasswordWithLockout(this.#deps, known.id, password, { during: 'OAuth password grant', ...(meta.address ? { address: meta.address } : {}) },
        (repos, user, now) => {
          if (user.disabled) return { refused: oauthRefusal('invalid_grant', `user ${user.username} is disabled; ask an admin`) };
          if (user.mustChangePassword) {
            return { refused: oauthRefusal('invalid_grant', `${user.username} must change their password first (sign in to the web UI)`, { reason: 'PASSWORD_CHANGE_REQUIRED' }) };
          }
          const row: AdminSession = { idDigest: userTokenDigest(accessToken), userId: user.id, createdAt: now, lastSeenAt: now, expiresAt: now + ttl };
          repos.sessions.insert(row);
          repos.events.append(authEvent(now, user.username, 'USER_LOGIN', `User ${user.username} got a bearer token (OAuth password grant via API client ${authenticated.name})`, {
            userId: user.id, clientId: authenticated.id, address, expiresAt: row.expiresAt,
          }));
          return { expiresAt: row.expiresAt };
        })
      : { kind: 'gone' as const };
    const now = clock.now();
    switch (check.kind) {
      case 'locked': throw oauthRefusal('invalid_grant', lockedError(check.user, now).message, { ...lockedError(check.user, now).details });
      case 'wrong':
        if (check.lockedNow) throw oauthRefusal('invalid_grant', lockedError(check.user, now).message, { ...lockedError(check.user, now).details });
        throw oauthRefusal('invalid_grant', BAD_USER);
      case 'gone':
        await verifyAgainstNothing(password);
        uow.write((repos) => repos.events.append(authEvent(clock.now(), username.slice(0, 100), 'USER_LOGIN_FAILED', 'OAuth password grant failed: unknown user', {
          reason: 'unknown user', address,
        })));
        throw oauthRefusal('invalid_grant', BAD_USER);
      case 'right':
        if ('refused' in check.result) throw check.result.refused;
        return { accessToken, expiresIn: Math.floor(ttl / 1000), expiresAt: check.result.expiresAt };
    }
  }

  /**
   * The principal is read from the client or user row on every call, so role changes, disabling and
   * revocation apply at once.
   */
  resolve(accessToken: string): Principal {
    const principal = this.#resolveClientToken(accessToken) ?? this.#resolveUserToken(accessToken);
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'the bearer token is invalid, expired or revoked; request a new one');
    return principal;
  }

  prune(): number {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => repos.accessTokens.prune(now));
  }

  #authenticateClient(repos: Repositories, clientId: string, clientSecret: string, now: number, meta: { address?: string }): ApiClient | null {
    const client = repos.apiClients.findById(clientId);
    const secretOk = client !== undefined && sameDigest(digestSecret(clientSecret), client.secretDigest);
    if (!client || !secretOk || client.revokedAt !== null) {
      const reason = !client ? 'unknown client' : client.revokedAt !== null ? 'client revoked' : 'wrong secret';
      repos.events.append(authEvent(now, client?.name ?? 'unknown', 'API_CLIENT_AUTH_FAILED', `API client authentication failed: ${reason}`, {
        clientId: clientId.slice(0, 100), reason, address: meta.address ?? null,
      }));
      return null;
    }
    repos.apiClients.touch(client.id, now);
    return client;
  }

  #resolveClientToken(accessToken: string): Principal | null {
    const now = this.#deps.clock.now();
    return this.#deps.uow.read((repos) => {
      const token = repos.accessTokens.findByDigest(digestSecret(accessToken));
      if (!token || now >= token.expiresAt) return null;
      const client = repos.apiClients.findById(token.clientId);
      return client && client.revokedAt === null ? principalOfClient(client) : null;
    });
  }

  /** Password-grant tokens follow the session rules: the idle timeout, and expires_in as the absolute end. */
  #resolveUserToken(accessToken: string): Principal | null {
    const { uow, clock, policy } = this.#deps;
    const now = clock.now();
    const digest = userTokenDigest(accessToken);
    const found = uow.read((repos) => {
      const row = repos.sessions.findByDigest(digest);
      const user = row ? repos.users.findById(row.userId) : undefined;
      return row && user ? { row, user } : null;
    });
    if (!found || found.user.disabled || now >= sessionEndsAt(found.row, policy.sessionIdleMs)) return null;
    if (found.user.mustChangePassword) {
      throw new DomainError('FORBIDDEN', `${found.user.username} must change their password first (sign in to the web UI)`, { reason: 'PASSWORD_CHANGE_REQUIRED' });
    }
    if (now - found.row.lastSeenAt >= TOUCH_AFTER_MS) uow.write((repos) => repos.sessions.touch(digest, now));
    return principalOfUser(found.user);
  }
}
