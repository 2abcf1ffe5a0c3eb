import type { AdminSession } from './admin-session.js';
import type { AdminUser } from './admin-user.js';

export interface UserRepository {
  insert(user: AdminUser): void;
  /** Writes every mutable column of the user. */
  update(user: AdminUser): void;
  delete(id: string): void;
  findById(id: string): AdminUser | undefined;
  /** Case-insensitive, as usernames are unique regardless of case. */
  findByUsername(username: string): AdminUser | undefined;
  list(): AdminUser[];
  count(): number;
}

export interface SessionRepository {
  insert(session: AdminSession): void;
  findByDigest(idDigest: string): AdminSession | undefined;
  touch(idDigest: string, at: number): void;
  delete(idDigest: string): void;
  /** Ends every session of a user, except the one given (the caller's own, after a password change). */
  deleteByUser(userId: string, exceptDigest: string | null): number;
  /** Removes sessions idle since before idleCutoff or past their absolute end. */
  prune(now: number, idleCutoff: number): number;
}
