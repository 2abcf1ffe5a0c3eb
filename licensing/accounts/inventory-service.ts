import type { LicenseLine, LicenseType } from '../licenses/license-line.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import type { Account, VirtualAccount } from './account.js';

export interface NewLicenseLine {
  tag: string;
  displayName: string;
  description?: string;
  quantity: number;
  licenseType?: LicenseType;
  startsAt?: number;
  endsAt?: number | null;
  substitutionLadder?: string[];
  substitutionLevel?: number | null;
}

export interface InventoryServiceDeps { uow: UnitOfWork; clock: Clock; newId: IdGenerator }

/** Accounts, virtual accounts and locally added license lines. */
export class InventoryService {
  readonly #deps: InventoryServiceDeps;

  constructor(deps: InventoryServiceDeps) {
    this.#deps = deps;
  }

  createAccount(name: string, actorId = 'system'): Account {
    const clean = requireName(name, 'account name');
    return this.#deps.uow.write((repos) => {
      if (repos.accounts.findAccountByName(clean)) throw new ConflictError(`account '${clean}' already exists`);
      const account: Account = { id: this.#deps.newId(), name: clean, createdAt: this.#deps.clock.now() };
      repos.accounts.insertAccount(account);
      repos.events.append({
        occurredAt: account.createdAt, accountId: account.id, virtualAccountId: null, actorType: 'user', actorId,
        type: 'ACCOUNT_CREATED', message: `Account ${clean} created`, details: {},
      });
      return account;
    });
  }

  createVirtualAccount(accountName: string, name: string, description = '', actorId = 'system'): VirtualAccount {
    const clean = requireName(name, 'virtual account name');
    return this.#deps.uow.write((repos) => {
      const account = findAccount(repos, accountName);
      if (repos.accounts.findVirtualAccountByName(account.id, clean)) {
        throw new ConflictError(`virtual account '${clean}' already exists in account '${account.name}'`);
      }
      const va: VirtualAccount = {
        id: this.#deps.newId(), accountId: account.id, name: clean, description, origin: 'local',
        createdAt: this.#deps.clock.now(),
      };
      repos.accounts.insertVirtualAccount(va);
      repos.events.append({
        occurredAt: va.createdAt, accountId: account.id, virtualAccountId: va.id, actorType: 'user', actorId,
        type: 'VIRTUAL_ACCOUNT_CREATED', message: `Virtual account ${clean} created`, details: {},
      });
      return va;
    });
  }

  addLicenseLine(virtualAccountId: string, input: NewLicenseLine, actorId = 'system'): LicenseLine {
    if (!Number.isInteger(input.quantity) || input.quantity < 0) {
      throw new ValidationError('quantity must be a non-negative integer', { field: 'quantity' });
    }
    requireName(input.tag, 'tag');
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const va = repos.accounts.findVirtualAccountById(virtualAccountId);
      if (!va) throw new NotFoundError('virtual account', virtualAccountId);
      const line: LicenseLine = {
        id: this.#deps.newId(),
        virtualAccountId,
        tag: input.tag.trim(),
        displayName: input.displayName,
        description: input.description ?? '',
        quantity: input.quantity,
        licenseType: input.licenseType ?? 'PERPETUAL',
        startsAt: input.startsAt ?? now,
        endsAt: input.endsAt ?? null,
        substitutionLadder: input.substitutionLadder ?? [],
        substitutionLevel: input.substitutionLevel ?? null,
        origin: 'local',
        createdAt: now,
      };
      repos.licenses.insertLine(line);
      repos.events.append({
        occurredAt: now, accountId: va.accountId, virtualAccountId, actorType: 'user', actorId, type: 'LICENSE_LINE_ADDED',
        message: `${line.quantity} x ${line.displayName} added`, details: { tag: line.tag, quantity: line.quantity },
      });
      return line;
    });
  }

  /** Resolves "account/virtual account" names as admins and the API toolkit address them. */
  findVirtualAccount(accountName: string, vaName: string): VirtualAccount {
    return this.#deps.uow.read((repos) => {
      const account = findAccount(repos, accountName);
      const va = repos.accounts.findVirtualAccountByName(account.id, vaName);
      if (!va) throw new NotFoundError('virtual account', `${accountName}/${vaName}`);
      return va;
    });
  }
}

function findAccount(repos: Repositories, name: string): Account {
  const account = repos.accounts.findAccountByName(name);
  if (!account) throw new NotFoundError('account', name);
  return account;
}

function requireName(value: string, field: string): string {
  const clean = value.trim();
  if (clean.length === 0 || clean.length > 200) {
    throw new ValidationError(`${field} must be 1-200 characters`, { field });
  }
  return clean;
}
