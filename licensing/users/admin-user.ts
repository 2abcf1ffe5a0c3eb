import type { Principal, Role } from './principal.js';

/** A person who signs in to the UI or API with a password (DESIGN §3). */
export interface AdminUser {
  id: string;
  username: string;
  role: Role;
  /** Account ids; null means every account. */
  accountScope: string[] | null;
  /** `scrypt$N$r$p$salt$hash`; the password itself is never stored. */
  passwordDigest: string;
  mustChangePassword: boolean;
  disabled: boolean;
  /** Consecutive failed sign-ins since the last success or lockout. */
  failedLogins: number;
  lockedUntil: number | null;
  lastLoginAt: number | null;
  passwordChangedAt: number;
  createdAt: number;
  updatedAt: number;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function principalOfUser(user: AdminUser): Principal {
  return { kind: 'user', id: user.id, name: user.username, role: user.role, accountScope: user.accountScope };
}

export function isLocked(user: AdminUser, now: number): boolean {
  return user.lockedUntil !== null && now < user.lockedUntil;
}
