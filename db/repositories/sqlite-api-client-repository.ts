import type { AccessTokenRepository, ApiClientRepository } from '../../licensing/users/api-client-repository.js';
import type { AccessToken, ApiClient } from '../../licensing/users/api-client.js';
import type { Role } from '../../licensing/users/principal.js';
import type { SqliteDatabase } from '../sqlite-connection.js';
import { readAccountScope, writeAccountScope } from './account-scope-column.js';

interface ClientRow {
  id: string; name: string; role: string; account_scope: string | null; secret_digest: string; created_at: number;
  created_by: string; revoked_at: number | null; last_used_at: number | null;
}
interface TokenRow { token_digest: string; client_id: string; issued_at: number; expires_at: number }

const toClient = (row: ClientRow): ApiClient => ({
  id: row.id,
  name: row.name,
  role: row.role as Role,
  accountScope: readAccountScope(row.account_scope),
  secretDigest: row.secret_digest,
  createdAt: row.created_at,
  createdBy: row.created_by,
  revokedAt: row.revoked_at,
  lastUsedAt: row.last_used_at,
});

export class SqliteApiClientRepository implements ApiClientRepository {
  readonly #insert;
  readonly #byId;
  readonly #all;
  readonly #revoke;
  readonly #touch;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare(`INSERT INTO api_clients (id, name, role, account_scope, secret_digest, created_at, created_by,
      revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#byId = db.prepare<[string], ClientRow>('SELECT * FROM api_clients WHERE id = ?');
    this.#all = db.prepare<[], ClientRow>('SELECT * FROM api_clients ORDER BY created_at, id');
    this.#revoke = db.prepare('UPDATE api_clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.#touch = db.prepare('UPDATE api_clients SET last_used_at = ? WHERE id = ?');
  }

  insert(c: ApiClient): void {
    this.#insert.run(c.id, c.name, c.role, writeAccountScope(c.accountScope), c.secretDigest, c.createdAt, c.createdBy,
      c.revokedAt, c.lastUsedAt);
  }

  findById(id: string): ApiClient | undefined {
    const row = this.#byId.get(id);
    return row ? toClient(row) : undefined;
  }

  list(): ApiClient[] {
    return this.#all.all().map(toClient);
  }

  revoke(id: string, at: number): void {
    this.#revoke.run(at, id);
  }

  touch(id: string, at: number): void {
    this.#touch.run(at, id);
  }
}

export class SqliteAccessTokenRepository implements AccessTokenRepository {
  readonly #insert;
  readonly #byDigest;
  readonly #deleteByClient;
  readonly #prune;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare('INSERT INTO access_tokens (token_digest, client_id, issued_at, expires_at) VALUES (?, ?, ?, ?)');
    this.#byDigest = db.prepare<[string], TokenRow>('SELECT * FROM access_tokens WHERE token_digest = ?');
    this.#deleteByClient = db.prepare('DELETE FROM access_tokens WHERE client_id = ?');
    this.#prune = db.prepare('DELETE FROM access_tokens WHERE expires_at <= ?');
  }

  insert(t: AccessToken): void {
    this.#insert.run(t.tokenDigest, t.clientId, t.issuedAt, t.expiresAt);
  }

  findByDigest(tokenDigest: string): AccessToken | undefined {
    const row = this.#byDigest.get(tokenDigest);
    return row ? { tokenDigest: row.token_digest, clientId: row.client_id, issuedAt: row.issued_at, expiresAt: row.expires_at } : undefined;
  }

  deleteByClient(clientId: string): number {
    return this.#deleteByClient.run(clientId).changes;
  }

  prune(now: number): number {
    return this.#prune.run(now).changes;
  }
}
