import { noAlertTriggers, type AlertTriggers } from '../alerts/alert-triggers.js';
import type { LicenseLine, LicenseType } from '../licenses/license-line.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import type { Account, VirtualAccount } from './account.js';
import { contentsOf, describeContents } from './virtual-account-contents.js';

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

export interface InventoryServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: IdGenerator;
  /** A new line changes its pool, so pool alerts are re-evaluated in the same transaction. */
  alerts?: AlertTriggers;
}

export interface VirtualAccountChanges {
  name?: string;
  description?: string;
}

/** Accounts, virtual accounts and locally added license lines. */
export class InventoryService {
  readonly #deps: InventoryServiceDeps;

  constructor(deps: InventoryServiceDeps) {
    this.#deps = deps;
  }

  createAccount(name: string, actorId = 'system'): Account {
    const clean = requireName(name, 'name');
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
    const clean = requireName(name, 'name');
    const cleanDescription = requireDescription(description);
    return this.#deps.uow.write((repos) => {
      const account = findAccount(repos, accountName);
      if (repos.accounts.findVirtualAccountByName(account.id, clean)) {
        throw new ConflictError(`virtual account '${clean}' already exists in account '${account.name}'`, { field: 'name' });
      }
      const va: VirtualAccount = {
        id: this.#deps.newId(), accountId: account.id, name: clean, description: cleanDescription, origin: 'local',
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

  listAccounts(): Account[] {
    return this.#deps.uow.read((repos) => repos.accounts.listAccounts());
  }

  listVirtualAccounts(accountId: string): VirtualAccount[] {
    return this.#deps.uow.read((repos) => repos.accounts.listVirtualAccounts(accountId));
  }

  findAccount(name: string): Account {
    return this.#deps.uow.read((repos) => findAccount(repos, name));
  }

  renameAccount(accountId: string, newName: string, actorId = 'system'): Account {
    const clean = requireName(newName, 'name');
    return this.#deps.uow.write((repos) => {
      const account = repos.accounts.findAccountById(accountId);
      if (!account) throw new NotFoundError('account', accountId);
      if (account.name === clean) return account;
      if (repos.accounts.findAccountByName(clean)) throw new ConflictError(`account '${clean}' already exists`, { field: 'name' });
      repos.accounts.renameAccount(account.id, clean);
      repos.events.append({
        occurredAt: this.#deps.clock.now(), accountId: account.id, virtualAccountId: null, actorType: 'user', actorId,
        type: 'ACCOUNT_RENAMED', message: `Account ${account.name} renamed to ${clean}`, details: { from: account.name, to: clean },
      });
      return { ...account, name: clean };
    });
  }

  /** Only an account without virtual accounts can go; its VAs must be deleted (emptied) first. */
  deleteAccount(accountId: string, actorId = 'system'): void {
    this.#deps.uow.write((repos) => {
      const account = repos.accounts.findAccountById(accountId);
      if (!account) throw new NotFoundError('account', accountId);
      const vas = repos.accounts.listVirtualAccounts(account.id);
      if (vas.length > 0) {
        throw new ConflictError(
          `account '${account.name}' still has ${vas.length} virtual account${vas.length === 1 ? '' : 's'} (${vas.map((v) => v.name).join(', ')}); delete them first`,
          { virtualAccounts: vas.map((v) => v.name) },
        );
      }
      repos.accounts.deleteAccount(account.id);
      repos.events.append({
        occurredAt: this.#deps.clock.now(), accountId: account.id, virtualAccountId: null, actorType: 'user', actorId,
        type: 'ACCOUNT_DELETED', message: `Account ${account.name} deleted`, details: { name: account.name },
      });
    });
  }

  updateVirtualAccount(virtualAccountId: string, changes: VirtualAccountChanges, actorId = 'system'): VirtualAccount {
    const name = changes.name === undefined ? undefined : requireName(changes.name, 'name');
    const description = changes.description === undefined ? undefined : requireDescription(changes.description);
    return this.#deps.uow.write((repos) => {
      const va = requireLocalVa(repos, virtualAccountId, 'changed');
      const updated: VirtualAccount = { ...va, name: name ?? va.name, description: description ?? va.description };
      if (updated.name === va.name && updated.description === va.description) return va;
      if (updated.name !== va.name && repos.accounts.findVirtualAccountByName(va.accountId, updated.name)) {
        throw new ConflictError(`virtual account '${updated.name}' already exists in this account`, { field: 'name' });
      }
      repos.accounts.updateVirtualAccount(updated);
      repos.events.append({
        occurredAt: this.#deps.clock.now(), accountId: va.accountId, virtualAccountId: va.id, actorType: 'user', actorId,
        type: 'VIRTUAL_ACCOUNT_UPDATED',
        message: updated.name === va.name ? `Virtual account ${va.name} updated` : `Virtual account ${va.name} renamed to ${updated.name}`,
        details: { from: { name: va.name, description: va.description }, to: { name: updated.name, description: updated.description } },
      });
      return updated;
    });
  }

  /**
   * A VA can go when it holds nothing: no registered product instances, no licenses, no active tokens.
   * The 409 names everything still there so the admin knows what to move or revoke first.
   */
  deleteVirtualAccount(virtualAccountId: string, actorId = 'system'): void {
    const now = this.#deps.clock.now();
    this.#deps.uow.write((repos) => {
      const va = requireLocalVa(repos, virtualAccountId, 'deleted');
      const contents = contentsOf(repos.accounts.virtualAccountOccupancy(va.id, now), repos.licenses.listLines(va.id), now);
      const reasons = describeContents(contents);
      if (reasons.length > 0) {
        throw new ConflictError(`virtual account '${va.name}' is not empty: it still has ${reasons.join(', ')}`, {
          registeredInstances: contents.registeredInstances, activeTokens: contents.activeTokens,
          heldLicenses: contents.heldLicenses, upstreamLines: contents.upstreamLines,
        });
      }
      const tags = new Set([...repos.licenses.listLines(va.id).map((l) => l.tag), ...repos.licenses.listUsage(va.id).map((u) => u.tag)]);
      const tokenIds = repos.tokens.listByVirtualAccount(va.id).map((t) => t.id);
      repos.accounts.purgeVirtualAccount(va.id);
      // Alerts about the VA's pools and tokens have nothing left to point at; re-evaluating clears them.
      const alerts = this.#deps.alerts ?? noAlertTriggers;
      alerts.poolsChanged(repos, va.id, [...tags], now);
      for (const tokenId of tokenIds) alerts.tokenChanged(repos, tokenId, now);
      repos.events.append({
        occurredAt: now, accountId: va.accountId, virtualAccountId: va.id, actorType: 'user', actorId,
        type: 'VIRTUAL_ACCOUNT_DELETED', message: `Virtual account ${va.name} deleted`, details: { name: va.name },
      });
    });
  }

  addLicenseLine(virtualAccountId: string, input: NewLicenseLine, actorId = 'system'): LicenseLine {
    if (!Number.isInteger(input.quantity) || input.quantity < 0) {
      throw new ValidationError('quantity must be a non-negative integer', { field: 'quantity' });
    }
    requireName(input.tag, 'tag');
    requireName(input.displayName, 'displayName');
    const now = this.#deps.clock.now();
    const startsAt = input.startsAt ?? now;
    if (input.endsAt !== undefined && input.endsAt !== null && input.endsAt <= startsAt) {
      throw new ValidationError('end must be after start', { field: 'end' });
    }
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
        startsAt,
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
      (this.#deps.alerts ?? noAlertTriggers).poolsChanged(repos, virtualAccountId, [line.tag], now);
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

/** Upstream VAs are the upstream's: changing or deleting them here would be undone by the next sync. */
function requireLocalVa(repos: Repositories, virtualAccountId: string, verb: string): VirtualAccount {
  const va = repos.accounts.findVirtualAccountById(virtualAccountId);
  if (!va) throw new NotFoundError('virtual account', virtualAccountId);
  if (va.origin === 'upstream') {
    throw new ConflictError(`virtual account '${va.name}' comes from the upstream and can only be ${verb} there`, { origin: 'upstream' });
  }
  return va;
}

function requireDescription(value: string): string {
  const clean = value.trim();
  if (clean.length > 500) throw new ValidationError('description is longer than 500 characters', { field: 'description' });
  return clean;
}

function requireName(value: string, field: string): string {
  const clean = value.trim();
  if (clean.length === 0 || clean.length > 200) {
    throw new ValidationError(`${field} must be 1-200 characters`, { field });
  }
  return clean;
}
