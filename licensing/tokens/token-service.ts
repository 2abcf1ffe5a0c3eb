import { noAlertTriggers, type AlertTriggers } from '../alerts/alert-triggers.js';
import type { Clock } from '../shared/clock.js';
import { MS_PER_DAY } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { LicensingTimers } from '../shared/licensing-timers.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import { digestTokenSecret, generateTokenSecret, type RegistrationToken } from './registration-token.js';

export interface CreateTokenInput {
  virtualAccountId: string;
  description?: string;
  expiresAfterDays?: number;
  maxUses?: number | null;
  exportControlledAllowed?: boolean;
  createdBy?: string;
}

/** The secret is returned here and nowhere else: only its digest is stored. */
export interface CreatedToken {
  token: RegistrationToken;
  secret: string;
}

export interface TokenServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: IdGenerator;
  timers: LicensingTimers;
  /** Token alerts (expiring soon) are re-evaluated when a token is created or revoked. */
  alerts?: AlertTriggers;
}

export class TokenService {
  readonly #deps: TokenServiceDeps;

  constructor(deps: TokenServiceDeps) {
    this.#deps = deps;
  }

  create(input: CreateTokenInput): CreatedToken {
    const days = input.expiresAfterDays ?? this.#deps.timers.tokenDefaultExpiryDays;
    if (!Number.isInteger(days) || days < 1 || days > 365) {
      throw new ValidationError('expiresAfterDays must be an integer from 1 to 365', { field: 'expiresAfterDays' });
    }
    const maxUses = input.maxUses ?? null;
    if (maxUses !== null && (!Number.isInteger(maxUses) || maxUses < 1)) {
      throw new ValidationError('maxUses must be a positive integer', { field: 'maxUses' });
    }
    const description = (input.description ?? '').trim();
    if (description.length > 500) throw new ValidationError('description is longer than 500 characters', { field: 'description' });
    const now = this.#deps.clock.now();
    const secret = generateTokenSecret();
    return this.#deps.uow.write((repos) => {
      const va = repos.accounts.findVirtualAccountById(input.virtualAccountId);
      if (!va) throw new NotFoundError('virtual account', input.virtualAccountId);
      const token: RegistrationToken = {
        id: this.#deps.newId(),
        virtualAccountId: va.id,
        secretDigest: digestTokenSecret(secret),
        description,
        createdAt: now,
        expiresAt: now + days * MS_PER_DAY,
        maxUses,
        uses: 0,
        exportControlledAllowed: input.exportControlledAllowed ?? true,
        revokedAt: null,
        createdBy: input.createdBy ?? 'system',
      };
      repos.tokens.insert(token);
      repos.events.append({
        occurredAt: now, accountId: va.accountId, virtualAccountId: va.id, actorType: 'user', actorId: token.createdBy,
        type: 'TOKEN_CREATED', message: `Registration token created${description ? `: ${description}` : ''}`,
        details: { tokenId: token.id, expiresAt: token.expiresAt, maxUses },
      });
      (this.#deps.alerts ?? noAlertTriggers).tokenChanged(repos, token.id, now);
      return { token, secret };
    });
  }

  list(virtualAccountId: string): RegistrationToken[] {
    return this.#deps.uow.read((repos) => repos.tokens.listByVirtualAccount(virtualAccountId));
  }

  /**
   * Revokes at once: the registration path checks revocation inside its own write transaction, so no
   * REGISTER commits with this token afterwards. Revoking twice is not an error. With `virtualAccountId`, a
   * token of another VA is reported as not found, so a path cannot reach tokens outside its VA.
   */
  revoke(tokenId: string, actorId = 'system', virtualAccountId?: string): RegistrationToken {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const token = repos.tokens.findById(tokenId);
      if (!token || (virtualAccountId !== undefined && token.virtualAccountId !== virtualAccountId)) {
        throw new NotFoundError('token', tokenId);
      }
      if (token.revokedAt !== null) return token;
      repos.tokens.revoke(token.id, now);
      const va = repos.accounts.findVirtualAccountById(token.virtualAccountId);
      repos.events.append({
        occurredAt: now, accountId: va?.accountId ?? null, virtualAccountId: token.virtualAccountId, actorType: 'user',
        actorId, type: 'TOKEN_REVOKED', message: 'Registration token revoked', details: { tokenId },
      });
      (this.#deps.alerts ?? noAlertTriggers).tokenChanged(repos, token.id, now);
      return { ...token, revokedAt: now };
    });
  }
}
