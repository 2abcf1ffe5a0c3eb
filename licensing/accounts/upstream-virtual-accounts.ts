import type { IdGenerator } from '../shared/id-generator.js';
import type { Repositories } from '../shared/unit-of-work.js';
import type { AccountMapping, BoundVirtualAccount } from '../binding/satellite-binding.js';
import type { Account, VirtualAccount } from './account.js';

export interface UpstreamVirtualAccountsOutcome {
  bound: BoundVirtualAccount[];
  /** Names of accounts created here. */
  createdAccounts: string[];
  /** "account/virtual account" of VAs created with origin 'upstream'. */
  createdVirtualAccounts: string[];
  /** "account/virtual account" of local VAs that now belong to the upstream. */
  adoptedVirtualAccounts: string[];
}

/**
 * Makes sure every account and virtual account of a registration's mapping exists locally, inside the caller's
 * transaction. A local VA of the same name is adopted (its origin becomes 'upstream') rather than duplicated:
 * its product instances and tokens stay where they are, and from now on only the upstream renames or removes it.
 */
export function ensureUpstreamVirtualAccounts(
  repos: Repositories, mapping: readonly AccountMapping[], context: { now: number; newId: IdGenerator; upstreamId: string },
): UpstreamVirtualAccountsOutcome {
  const outcome: UpstreamVirtualAccountsOutcome = { bound: [], createdAccounts: [], createdVirtualAccounts: [], adoptedVirtualAccounts: [] };
  const event = { occurredAt: context.now, actorType: 'upstream' as const, actorId: context.upstreamId, details: {} };
  for (const entry of mapping) {
    let account = repos.accounts.findAccountByName(entry.account);
    if (!account) {
      const created: Account = { id: context.newId(), name: entry.account, createdAt: context.now };
      repos.accounts.insertAccount(created);
      repos.events.append({ ...event, accountId: created.id, virtualAccountId: null, type: 'ACCOUNT_CREATED', message: `Account ${created.name} created from the upstream registration` });
      outcome.createdAccounts.push(created.name);
      account = created;
    }
    for (const name of entry.virtualAccounts) {
      const label = `${account.name}/${name}`;
      let va = repos.accounts.findVirtualAccountByName(account.id, name);
      if (!va) {
        const created: VirtualAccount = { id: context.newId(), accountId: account.id, name, description: '', origin: 'upstream', createdAt: context.now };
        repos.accounts.insertVirtualAccount(created);
        repos.events.append({ ...event, accountId: account.id, virtualAccountId: created.id, type: 'VIRTUAL_ACCOUNT_CREATED', message: `Virtual account ${name} created from the upstream registration` });
        outcome.createdVirtualAccounts.push(label);
        va = created;
      } else if (va.origin === 'local') {
        repos.accounts.setVirtualAccountOrigin(va.id, 'upstream');
        repos.events.append({ ...event, accountId: account.id, virtualAccountId: va.id, type: 'VIRTUAL_ACCOUNT_ADOPTED', message: `Virtual account ${name} is now served by the upstream` });
        outcome.adoptedVirtualAccounts.push(label);
      }
      outcome.bound.push({ virtualAccountId: va.id, account: entry.account, virtualAccount: name });
    }
  }
  return outcome;
}
