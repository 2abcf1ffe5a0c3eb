import type { Clock } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import { accountIdsForNames } from './account-scope.js';
import { actorName, requireUserAdministrator, type Actor } from './actor.js';
import type { ApiClient } from './api-client.js';
import { authEvent } from './auth-event.js';
import { ROLES, type Role } from './principal.js';
import { digestSecret, generateSecret } from './secret-digest.js';

export interface NewApiClient {
  name: string;
  role: Role;
  /** Account names; omitted or null means every account. */
  accountScope?: readonly string[] | null;
}

/** The secret is returned here and nowhere else: only its digest is stored. */
export interface CreatedApiClient {
  client: ApiClient;
  clientSecret: string;
}

export interface ApiClientServiceDeps { uow: UnitOfWork; clock: Clock; newId: IdGenerator }

/** OAuth2 client-credentials clients (DESIGN §6): monitoring and automation tools. */
export class ApiClientService {
  readonly #deps: ApiClientServiceDeps;

  constructor(deps: ApiClientServiceDeps) {
    this.#deps = deps;
  }

  create(input: NewApiClient, actor: Actor): CreatedApiClient {
    requireUserAdministrator(actor);
    const actorId = actorName(actor);
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) throw new ValidationError('name must be 1 to 100 characters', { field: 'name' });
    if (!ROLES.includes(input.role)) throw new ValidationError(`role must be one of ${ROLES.join(', ')}`, { field: 'role' });
    const clientSecret = generateSecret();
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const client: ApiClient = {
        id: this.#deps.newId(),
        name,
        role: input.role,
        accountScope: accountIdsForNames(repos, input.accountScope),
        secretDigest: digestSecret(clientSecret),
        createdAt: now,
        createdBy: actorId,
        revokedAt: null,
        lastUsedAt: null,
      };
      repos.apiClients.insert(client);
      repos.events.append(authEvent(now, actorId, 'API_CLIENT_CREATED', `API client ${name} created with role ${client.role}`, {
        clientId: client.id, role: client.role, accountScope: input.accountScope ?? null,
      }));
      return { client, clientSecret };
    });
  }

  list(): ApiClient[] {
    return this.#deps.uow.read((repos) => repos.apiClients.list());
  }

  get(clientId: string): ApiClient {
    const client = this.#deps.uow.read((repos) => repos.apiClients.findById(clientId));
    if (!client) throw new NotFoundError('API client', clientId);
    return client;
  }

  /** Revoking also ends every bearer token the client holds. Revoking twice is a no-op. */
  revoke(clientId: string, actor: Actor): ApiClient {
    requireUserAdministrator(actor);
    const actorId = actorName(actor);
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const client = repos.apiClients.findById(clientId);
      if (!client) throw new NotFoundError('API client', clientId);
      if (client.revokedAt !== null) return client;
      repos.apiClients.revoke(client.id, now);
      const tokens = repos.accessTokens.deleteByClient(client.id);
      repos.events.append(authEvent(now, actorId, 'API_CLIENT_REVOKED', `API client ${client.name} revoked`, {
        clientId: client.id, tokensEnded: tokens,
      }));
      return { ...client, revokedAt: now };
    });
  }
}
