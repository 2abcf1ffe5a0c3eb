import type { Account, VirtualAccount } from './account.js';

export interface AccountRepository {
  insertAccount(account: Account): void;
  findAccountById(id: string): Account | undefined;
  findAccountByName(name: string): Account | undefined;
  listAccounts(): Account[];
  insertVirtualAccount(va: VirtualAccount): void;
  findVirtualAccountById(id: string): VirtualAccount | undefined;
  findVirtualAccountByName(accountId: string, name: string): VirtualAccount | undefined;
  listVirtualAccounts(accountId: string): VirtualAccount[];
}
