import type { Account, VirtualAccount, VirtualAccountOrigin } from '../../licensing/accounts/account.js';
import type { AccountRepository, VirtualAccountOccupancy } from '../../licensing/accounts/account-repository.js';
import { ConflictError } from '../../licensing/shared/domain-error.js';
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
  readonly #renameAccount;
  readonly #deleteAccount;
  readonly #updateVa;
  readonly #setVaOrigin;
  readonly #registeredInVa;
  readonly #activeTokensOfVa;
  readonly #purgeVa;

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
    this.#renameAccount = db.prepare('UPDATE accounts SET name = ? WHERE id = ?');
    this.#deleteAccount = db.prepare('DELETE FROM accounts WHERE id = ?');
    this.#updateVa = db.prepare('UPDATE virtual_accounts SET name = ?, description = ? WHERE id = ?');
    this.#setVaOrigin = db.prepare('UPDATE virtual_accounts SET origin = ? WHERE id = ?');
    this.#registeredInVa = db.prepare<[string], { n: number }>(
      `SELECT COUNT(*) AS n FROM product_instances WHERE va_id = ? AND registration_state = 'REGISTERED'`,
    );
    this.#activeTokensOfVa = db.prepare<[string, number], { n: number }>(`SELECT COUNT(*) AS n FROM registration_tokens
      WHERE va_id = ? AND revoked_at IS NULL AND expires_at > ? AND (max_uses IS NULL OR uses < max_uses)`);
    // Children first, so foreign keys hold at every step; registered instances are never deleted here.
    this.#purgeVa = [
      'DELETE FROM instance_entitlements WHERE instance_id IN (SELECT id FROM product_instances WHERE va_id = @va)',
      'DELETE FROM id_certificates WHERE instance_id IN (SELECT id FROM product_instances WHERE va_id = @va)',
      'UPDATE product_instances SET token_id = NULL WHERE token_id IN (SELECT id FROM registration_tokens WHERE va_id = @va)',
      `DELETE FROM product_instances WHERE va_id = @va AND registration_state = 'UNREGISTERED'`,
      'DELETE FROM registration_tokens WHERE va_id = @va',
      'DELETE FROM pool_usage WHERE va_id = @va',
      'DELETE FROM license_lines WHERE va_id = @va',
      'DELETE FROM virtual_accounts WHERE id = @va',
    ].map((sql) => db.prepare<{ va: string }>(sql));
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

  renameAccount(id: string, name: string): void {
    this.#renameAccount.run(name, id);
  }

  deleteAccount(id: string): void {
    try {
      this.#deleteAccount.run(id);
    } catch (error) {
      if (isForeignKeyFailure(error)) {
        throw new ConflictError('the account is still referenced by other records and cannot be deleted', { accountId: id });
      }
      throw error;
    }
  }

  updateVirtualAccount(va: VirtualAccount): void {
    this.#updateVa.run(va.name, va.description, va.id);
  }

  setVirtualAccountOrigin(id: string, origin: VirtualAccountOrigin): void {
    this.#setVaOrigin.run(origin, id);
  }

  virtualAccountOccupancy(id: string, now: number): VirtualAccountOccupancy {
    return {
      registeredInstances: this.#registeredInVa.get(id)?.n ?? 0,
      activeTokens: this.#activeTokensOfVa.get(id, now)?.n ?? 0,
    };
  }

  purgeVirtualAccount(id: string): void {
    try {
      for (const statement of this.#purgeVa) statement.run({ va: id });
    } catch (error) {
      if (isForeignKeyFailure(error)) {
        throw new ConflictError('the virtual account is still referenced by other records and cannot be deleted', { virtualAccountId: id });
      }
      throw error;
    }
  }
}

function isForeignKeyFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
