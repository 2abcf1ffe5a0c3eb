/** A browser sign-in. The cookie carries the session id; only its digest is stored. */
export interface AdminSession {
  idDigest: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  /** The absolute end, fixed at sign-in. */
  expiresAt: number;
}

/** When the session ends if no further request arrives: the earlier of the idle and the absolute limit. */
export function sessionEndsAt(session: AdminSession, idleMs: number): number {
  return Math.min(session.lastSeenAt + idleMs, session.expiresAt);
}
