import type { Account, VirtualAccount } from '../../../licensing/accounts/account.js';
import { DomainError, NotFoundError } from '../../../licensing/shared/domain-error.js';
import type { Principal } from '../../../licensing/users/principal.js';
import type { Satellite } from '../../composition-root.js';

/** A virtual account of an account the caller was already allowed to see (see accessibleAccount). */
export function virtualAccountOf(satellite: Satellite, account: Account, name: string): VirtualAccount {
  const va = satellite.uow.read((r) => r.accounts.findVirtualAccountByName(account.id, name));
  if (!va) throw new NotFoundError('virtual account', `${account.name}/${name}`);
  return va;
}

/** The name events record for a change made through the admin API. */
export function actorOf(principal: Principal | null): string {
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'this change needs a signed-in principal');
  return principal.name;
}

/** Account names may hold anything; a download's file name should not. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
