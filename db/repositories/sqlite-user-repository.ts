import type { AdminUser } from '../../licensing/users/admin-user.js';
import type { Role } from '../../licensing/users/principal.js';
import type { UserRepository } from '../../licensing/users/user-repository.js';
import type { SqliteDatabase } from '../sqlite-connection.js';
import { readAccountScope, writeAccountScope } from './account-scope-column.js';

interface UserRow {
  id: string; username: string; role: string; account_scope: string | null; password_digest: string;
  must_change_password: number; disabled: number; failed_logins: number; locked_until: number | null;
  last_login_at: number | null; password_changed_at: number; created_at: number; updated_at: number;
}

const toUser = (row: UserRow): AdminUser => ({
  id: row.id,
  username: row.username,
  role: row.role as Role,
  accountScope: readAccountScope(row.account_scope),
  passwordDigest: row.password_digest,
  mustChangePassword: row.must_change_password === 1,
  disabled: row.disabled === 1,
  failedLogins: row.failed_logins,
  lockedUntil: row.locked_until,
  lastLoginAt: row.last_login_at,
  passwordChangedAt: row.password_changed_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toRow = (user: AdminUser): UserRow => ({
  id: user.id,
  username: user.username,
  role: user.role,
  account_scope: writeAccountScope(user.accountScope),
  password_digest: user.passwordDigest,
  must_change_password: user.mustChangePassword ? 1 : 0,
  disabled: user.disabled ? 1 : 0,
  failed_logins: user.failedLogins,
  locked_until: user.lockedUntil,
  last_login_at: user.lastLoginAt,
  password_changed_at: user.passwordChangedAt,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
});

export class SqliteUserRepository implements UserRepository {
  readonly #insert;
  readonly #update;
  readonly #delete;
  readonly #byId;
  readonly #byName;
  readonly #all;
  readonly #count;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare(`INSERT INTO users (id, username, role, account_scope, password_digest, must_change_password,
      disabled, failed_logins, locked_until, last_login_at, password_changed_at, created_at, updated_at)
      VALUES (@id, @username, @role, @account_scope, @password_digest, @must_change_password, @disabled, @failed_logins,
      @locked_until, @last_login_at, @password_changed_at, @created_at, @updated_at)`);
    this.#update = db.prepare(`UPDATE users SET username = @username, role = @role, account_scope = @account_scope, password_digest = @password_digest,
      must_change_password = @must_change_password, disabled = @disabled, failed_logins = @failed_logins,
      locked_until = @locked_until, last_login_at = @last_login_at, password_changed_at = @password_changed_at,
      updated_at = @updated_at WHERE id = @id`);
    this.#delete = db.prepare('DELETE FROM users WHERE id = ?');
    this.#byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
    this.#byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
    this.#all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username');
    this.#count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users');
  }

  insert(user: AdminUser): void {
    this.#insert.run(toRow(user));
  }

  update(user: AdminUser): void {
    this.#update.run(toRow(user));
  }

  delete(id: string): void {
    this.#delete.run(id);
  }

  findById(id: string): AdminUser | undefined {
    const row = this.#byId.get(id);
    return row ? toUser(row) : undefined;
  }

  findByUsername(username: string): AdminUser | undefined {
    const row = this.#byName.get(username);
    return row ? toUser(row) : undefined;
  }

  list(): AdminUser[] {
    return this.#all.all().map(toUser);
  }

  count(): number {
    return this.#count.get()?.n ?? 0;
  }
}
