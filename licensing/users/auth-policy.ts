import { MS_PER_HOUR } from '../shared/clock.js';

/** Timeouts and limits of admin authentication; each one is configurable (README configuration table). */
export interface AuthPolicy {
  /** A browser session ends after this long without a request. */
  sessionIdleMs: number;
  /** A browser session ends this long after sign-in, however active. */
  sessionAbsoluteMs: number;
  /** Lifetime of an OAuth bearer token (reported to clients as expires_in seconds). */
  accessTokenTtlMs: number;
  /** Consecutive failed sign-ins after which a user is locked. */
  maxFailedLogins: number;
  lockoutMs: number;
}

export const defaultAuthPolicy: AuthPolicy = {
  sessionIdleMs: 30 * 60_000,
  sessionAbsoluteMs: 12 * MS_PER_HOUR,
  accessTokenTtlMs: MS_PER_HOUR,
  maxFailedLogins: 5,
  lockoutMs: 15 * 60_000,
};
