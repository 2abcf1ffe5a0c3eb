import type { RegistrationToken } from '../../licensing/tokens/registration-token.js';
import type { TokenRepository } from '../../licensing/tokens/token-repository.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

export interface TokenRow {
  id: string; va_id: string; secret_digest: string; description: string; created_at: number; expires_at: number;
  max_uses: number | null; uses: number; export_controlled_allowed: number; revoked_at: number | null; created_by: string;
}

export const toToken = (row: TokenRow): RegistrationToken => ({
  id: row.id,
  virtualAccountId: row.va_id,
  secretDigest: row.secret_digest,
  description: row.description,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  maxUses: row.max_uses,
  uses: row.uses,
  exportControlledAllowed: row.export_controlled_allowed === 1,
  revokedAt: row.revoked_at,
  createdBy: row.created_by,
});

export class SqliteTokenRepository implements TokenRepository {
  readonly #insert;
  readonly #byId;
  readonly #byDigest;
  readonly #byVa;
  readonly #consume;
  readonly #revoke;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare(`INSERT INTO registration_tokens (id, va_id, secret_digest, description, created_at,
      expires_at, max_uses, uses, export_controlled_allowed, revoked_at, created_by)
      VALUES (@id, @va_id, @secret_digest, @description, @created_at, @expires_at, @max_uses, @uses,
      @export_controlled_allowed, @revoked_at, @created_by)`);
    this.#byId = db.prepare<[string], TokenRow>('SELECT * FROM registration_tokens WHERE id = ?');
    this.#byDigest = db.prepare<[string], TokenRow>('SELECT * FROM registration_tokens WHERE secret_digest = ?');
    this.#byVa = db.prepare<[string], TokenRow>(
      'SELECT * FROM registration_tokens WHERE va_id = ? ORDER BY created_at DESC, id',
    );
    // The guard in the WHERE clause makes max uses exact even if a caller forgot the transaction.
    this.#consume = db.prepare(
      'UPDATE registration_tokens SET uses = uses + 1 WHERE id = ? AND (max_uses IS NULL OR uses < max_uses)',
    );
    this.#revoke = db.prepare('UPDATE registration_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  }

  insert(token: RegistrationToken): void {
    this.#insert.run({
      id: token.id,
      va_id: token.virtualAccountId,
      secret_digest: token.secretDigest,
      description: token.description,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
      max_uses: token.maxUses,
      uses: token.uses,
      export_controlled_allowed: token.exportControlledAllowed ? 1 : 0,
      revoked_at: token.revokedAt,
      created_by: token.createdBy,
    });
  }

  findById(id: string): RegistrationToken | undefined {
    const row = this.#byId.get(id);
    return row ? toToken(row) : undefined;
  }

  findByDigest(secretDigest: string): RegistrationToken | undefined {
    const row = this.#byDigest.get(secretDigest);
    return row ? toToken(row) : undefined;
  }

  listByVirtualAccount(virtualAccountId: string): RegistrationToken[] {
    return this.#byVa.all(virtualAccountId).map(toToken);
  }

  consumeUse(id: string): boolean {
    return this.#consume.run(id).changes === 1;
  }

  revoke(id: string, at: number): void {
    this.#revoke.run(at, id);
  }
}
