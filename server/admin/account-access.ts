import type { Account, VirtualAccount } from '../../licensing/accounts/account.js';
import { DomainError, NotFoundError } from '../../licensing/shared/domain-error.js';
import { canAccessAccount, type Principal } from '../../licensing/users/principal.js';
import type { Satellite } from '../composition-root.js';

/**
 * Resolves an account named in a path for a principal. A scoped principal gets 403 for any account outside
 * its scope, whether or not it exists, so scopes do not leak which accounts exist.
 */
export function accessibleAccount(satellite: Satellite, principal: Principal | null, accountName: string): Account {
  const account = satellite.uow.read((r) => r.accounts.findAccountByName(accountName));
  if (principal && principal.accountScope !== null && (!account || !canAccessAccount(principal, account.id))) {
    throw new DomainError('FORBIDDEN', `${principal.name} may not access account '${accountName}'`);
  }
  if (!account) throw new NotFoundError('account', accountName);
  return account;
}

/**
 * Refuses a principal limited to some accounts, for what concerns the whole satellite (sync bundles carry
 * every bound account, a backup every account and the keys, the satellite-wide event log every tenant).
 * `why` ends the message: what a scoped principal should know or do instead.
 */
export function requireUnscoped(principal: Principal | null, why: string): void {
  if (principal && principal.accountScope !== null) {
    throw new DomainError('FORBIDDEN', `${principal.name} is limited to some accounts; ${why}`);
  }
}

export function accessibleVirtualAccount(
  satellite: Satellite, principal: Principal | null, accountName: string, vaName: string,
): { account: Account; virtualAccount: VirtualAccount } {
  const account = accessibleAccount(satellite, principal, accountName);
  const virtualAccount = satellite.uow.read((r) => r.accounts.findVirtualAccountByName(account.id, vaName));
  if (!virtualAccount) throw new NotFoundError('virtual account', `${accountName}/${vaName}`);
  return { account, virtualAccount };
}
