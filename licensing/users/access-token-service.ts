import type { Clock } from '../shared/clock.js';
import { DomainError } from '../shared/domain-error.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import { principalOfClient, type AccessToken } from './api-client.js';
import { authEvent } from './auth-event.js';
import type { AuthPolicy } from './auth-policy.js';
import type { Principal } from './principal.js';
import { digestSecret, generateSecret, sameDigest } from './secret-digest.js';

export interface IssuedAccessToken {
  accessToken: string;
  /** Seconds, as OAuth2 reports it. */
  expiresIn: number;
  expiresAt: number;
}

export interface AccessTokenServiceDeps { uow: UnitOfWork; clock: Clock; policy: AuthPolicy }

const BAD_CLIENT = 'invalid client_id or client_secret';

/** The client-credentials grant and bearer-token checks (DESIGN §6, RFC 6749 §4.4). */
export class AccessTokenService {
  readonly #deps: AccessTokenServiceDeps;

  constructor(deps: AccessTokenServiceDeps) {
    this.#deps = deps;
  }

  /** Unknown, revoked and wrong-secret clients get the same answer; the event log tells them apart. */
  issue(clientId: string, clientSecret: string, meta: { address?: string } = {}): IssuedAccessToken {
    const now = this.#deps.clock.now();
    const accessToken = generateSecret();
    const ttl = this.#deps.policy.accessTokenTtlMs;
    const outcome = this.#deps.uow.write((repos) => {
      const client = repos.apiClients.findById(clientId);
      const secretOk = client !== undefined && sameDigest(digestSecret(clientSecret), client.secretDigest);
      if (!client || !secretOk || client.revokedAt !== null) {
        const reason = !client ? 'unknown client' : client.revokedAt !== null ? 'client revoked' : 'wrong secret';
        repos.events.append(authEvent(now, client?.name ?? 'unknown', 'API_CLIENT_AUTH_FAILED', `API client authentication failed: ${reason}`, {
          clientId: clientId.slice(0, 100), reason, address: meta.address ?? null,
        }));
        return 'refused' as const;
      }
      const token: AccessToken = { tokenDigest: digestSecret(accessToken), clientId: client.id, issuedAt: now, expiresAt: now + ttl };
      repos.accessTokens.insert(token);
      repos.apiClients.touch(client.id, now);
      repos.events.append(authEvent(now, client.name, 'API_CLIENT_TOKEN_ISSUED', `Bearer token issued to API client ${client.name}`, {
        clientId: client.id, expiresAt: token.expiresAt, address: meta.address ?? null,
      }));
      return token;
    });
    // Thrown after the transaction so that the failure event is committed.
    if (outcome === 'refused') throw new DomainError('UNAUTHENTICATED', BAD_CLIENT);
    return { accessToken, expiresIn: Math.floor(ttl / 1000), expiresAt: outcome.expiresAt };
  }

  /** The principal is read from the client row on every call, so role changes and revocation apply at once. */
  resolve(accessToken: string): Principal {
    const now = this.#deps.clock.now();
    const principal = this.#deps.uow.read((repos) => {
      const token = repos.accessTokens.findByDigest(digestSecret(accessToken));
      if (!token || now >= token.expiresAt) return null;
      const client = repos.apiClients.findById(token.clientId);
      return client && client.revokedAt === null ? principalOfClient(client) : null;
    });
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'the bearer token is invalid, expired or revoked; request a new one');
    return principal;
  }

  prune(): number {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => repos.accessTokens.prune(now));
  }
}
