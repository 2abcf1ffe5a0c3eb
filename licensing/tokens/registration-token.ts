import { createHash, randomBytes } from 'node:crypto';

export interface RegistrationToken {
  id: string;
  virtualAccountId: string;
  /** sha256 of the secret; the secret itself is shown once and never stored. */
  secretDigest: string;
  description: string;
  createdAt: number;
  expiresAt: number;
  maxUses: number | null;
  uses: number;
  exportControlledAllowed: boolean;
  revokedAt: number | null;
  createdBy: string;
}

/** 48 random bytes: high entropy, so a fast digest is safe for lookup (unlike passwords). */
export function generateTokenSecret(): string {
  return randomBytes(48).toString('base64url');
}

export function digestTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export type TokenState = 'ACTIVE' | 'EXPIRED' | 'REVOKED' | 'EXHAUSTED';

export function tokenState(token: RegistrationToken, now: number): TokenState {
  if (token.revokedAt !== null) return 'REVOKED';
  if (now >= token.expiresAt) return 'EXPIRED';
  if (token.maxUses !== null && token.uses >= token.maxUses) return 'EXHAUSTED';
  return 'ACTIVE';
}
