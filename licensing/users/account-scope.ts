import { ValidationError } from '../shared/domain-error.js';
import type { Repositories } from '../shared/unit-of-work.js';

/**
 * People name accounts; principals hold account ids so a scope survives nothing but the account itself.
 * Undefined and null both mean "every account"; an empty list means no account at all.
 */
export function accountIdsForNames(repos: Repositories, names: readonly string[] | null | undefined): string[] | null {
  if (names === null || names === undefined) return null;
  const ids = new Set<string>();
  for (const name of names) {
    const account = repos.accounts.findAccountByName(name);
    if (!account) throw new ValidationError(`accountScope: account '${name}' does not exist`, { field: 'accountScope', account: name });
    ids.add(account.id);
  }
  return [...ids];
}

export function accountNamesForIds(repos: Repositories, ids: readonly string[] | null): string[] | null {
  if (ids === null) return null;
  return ids.map((id) => repos.accounts.findAccountById(id)?.name ?? id).sort();
}
