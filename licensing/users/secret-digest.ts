import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Random bearer secrets (client secrets, access tokens, session ids). They carry 256 bits of entropy, so a
 * fast sha256 digest is enough to store them; passwords, which people choose, get scrypt instead.
 */
export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The CSRF token of a session is derived from its id, so it need not be stored and cannot be computed from
 * the stored id digest. The label keeps it distinct from that digest.
 */
export function csrfTokenFor(sessionId: string): string {
  return createHash('sha256').update(`satellite-csrf:${sessionId}`, 'utf8').digest('base64url');
}
