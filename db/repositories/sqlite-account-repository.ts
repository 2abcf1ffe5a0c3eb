import type { Account, VirtualAccount } from '../../licensing/accounts/account.js';
import type { AccountRepository } from '../../licensing/accounts/account-repository.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface AccountRow { id: string; name: string; created_at: number }
interface VirtualAccountRow { id: string; account_id: string; name: string; description: string; origin: string; created_at: number }

const toAccount = (row: AccountRow): Account => ({ id: row.id, name: row.name, createdAt: row.created_at });
const toVirtualAccount = (row: VirtualAccountRow): VirtualAccount => ({
  id: row.id,
  accountId: row.account_id,
  name: row.name,
  description: row.description,
  origin: row.origin === 'upstream' ? 'upstream' : 'local',
  createdAt: row.created_at,
});

export class SqliteAccountRepository implements AccountRepository {
  readonly #insertAccount;
  readonly #accountById;
  readonly #accountByName;
  readonly #allAccounts;
  readonly #insertVa;
  readonly #vaById;
  readonly #vaByName;
  readonly #vasOfAccount;

  constructor(db: SqliteDatabase) {
    this.#insertAccount = db.prepare('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)');
    this.#accountById = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?');
    this.#accountByName = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE name = ?');
    this.#allAccounts = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY name');
    this.#insertVa = db.prepare(
      'INSERT INTO virtual_accounts (id, account_id, name, description, origin, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#vaById = db.prepare<[string], VirtualAccountRow>('SELECT * FROM virtual_accounts WHERE id = ?');
    this.#vaByName = db.prepare<[string, string], VirtualAccountRow>(
      'SELECT * FROM virtual_accounts WHERE account_id = ? AND name = ?',
    );
    this.#vasOfAccount = db.prepare<[string], VirtualAccountRow>(
      'SELECT * FROM virtual_accounts WHERE account_id = ? ORDER BY name',
    );
  }

  insertAccount(account: Account): void {
    this.#insertAccount.run(account.id, account.name, account.createdAt);
  }

  findAccountById(id: string): Account | undefined {
    const row = this.#accountById.get(id);
    return row ? toAccount(row) : undefined;
  }

  findAccountByName(name: string): Account | undefined {
    const row = this.#accountByName.get(name);
    return row ? toAccount(row) : undefined;
  }

  listAccounts(): Account[] {
    return this.#allAccounts.all().map(toAccount);
  }

  insertVirtualAccount(va: VirtualAccount): void {
    this.#insertVa.run(va.id, va.accountId, va.name, va.description, va.origin, va.createdAt);
  }

  findVirtualAccountById(id: string): VirtualAccount | undefined {
    const row = this.#vaById.get(id);
    return row ? toVirtualAccount(row) : undefined;
  }

  findVirtualAccountByName(accountId: string, name: string): VirtualAccount | undefined {
    const row = this.#vaByName.get(accountId, name);
    return row ? toVirtualAccount(row) : undefined;
  }

  listVirtualAccounts(accountId: string): VirtualAccount[] {
    return this.#vasOfAccount.all(accountId).map(toVirtualAccount);
  }
}
