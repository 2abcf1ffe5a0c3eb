import type { Account, VirtualAccount, VirtualAccountOrigin } from './account.js';

export interface AccountRepository {
  insertAccount(account: Account): void;
  findAccountById(id: string): Account | undefined;
  findAccountByName(name: string): Account | undefined;
  listAccounts(): Account[];
  insertVirtualAccount(va: VirtualAccount): void;
  findVirtualAccountById(id: string): VirtualAccount | undefined;
  findVirtualAccountByName(accountId: string, name: string): VirtualAccount | undefined;
  listVirtualAccounts(accountId: string): VirtualAccount[];
  renameAccount(id: string, name: string): void;
  /** Deletes an account row; the caller has checked that it holds no virtual accounts. */
  deleteAccount(id: string): void;
  updateVirtualAccount(va: VirtualAccount): void;
  /** Marks a local VA as the upstream's when a registration maps it (licensing/accounts/upstream-virtual-accounts.ts). */
  setVirtualAccountOrigin(id: string, origin: VirtualAccountOrigin): void;
  /** What keeps a VA from being deleted, besides its license lines. */
  virtualAccountOccupancy(id: string, now: number): VirtualAccountOccupancy;
  /**
   * Deletes a VA together with what only has meaning inside it: deregistered product instances (their
   * certificates and entitlements), inactive tokens, zeroed pool counters and leftover lines. The caller has
   * checked that it is empty; a row some other feature still links to it makes this throw a ConflictError.
   */
  purgeVirtualAccount(id: string): void;
}

export interface VirtualAccountOccupancy {
  registeredInstances: number;
  activeTokens: number;
}
