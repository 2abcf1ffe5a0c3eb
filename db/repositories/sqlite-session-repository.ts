import type { AdminSession } from '../../licensing/users/admin-session.js';
import type { SessionRepository } from '../../licensing/users/user-repository.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface SessionRow { id_digest: string; user_id: string; created_at: number; last_seen_at: number; expires_at: number }

const toSession = (row: SessionRow): AdminSession => ({
  idDigest: row.id_digest, userId: row.user_id, createdAt: row.created_at, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at,
});

export class SqliteSessionRepository implements SessionRepository {
  readonly #insert;
  readonly #byDigest;
  readonly #touch;
  readonly #delete;
  readonly #deleteByUser;
  readonly #prune;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare(`INSERT INTO sessions (id_digest, user_id, created_at, last_seen_at, expires_at)
      VALUES (?, ?, ?, ?, ?)`);
    this.#byDigest = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id_digest = ?');
    this.#touch = db.prepare('UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE id_digest = ?');
    this.#delete = db.prepare('DELETE FROM sessions WHERE id_digest = ?');
    this.#deleteByUser = db.prepare('DELETE FROM sessions WHERE user_id = @user AND (@keep IS NULL OR id_digest <> @keep)');
    this.#prune = db.prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?');
  }

  insert(s: AdminSession): void {
    this.#insert.run(s.idDigest, s.userId, s.createdAt, s.lastSeenAt, s.expiresAt);
  }

  findByDigest(idDigest: string): AdminSession | undefined {
    const row = this.#byDigest.get(idDigest);
    return row ? toSession(row) : undefined;
  }

  touch(idDigest: string, at: number): void {
    this.#touch.run(at, idDigest);
  }

  delete(idDigest: string): void {
    this.#delete.run(idDigest);
  }

  deleteByUser(userId: string, exceptDigest: string | null): number {
    return this.#deleteByUser.run({ user: userId, keep: exceptDigest }).changes;
  }

  prune(now: number, idleCutoff: number): number {
    return this.#prune.run(now, idleCutoff).changes;
  }
}
