import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost: N = 2^15, r = 8, p = 1 needs 32 MiB and about 0.1 s, per OWASP's minimum for scrypt. */
export const PASSWORD_SCRYPT = { N: 32_768, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
// Digests come from our own database, but a corrupted or hostile row must not make us allocate gigabytes.
const MAX_N = 1 << 20;

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

interface ParsedDigest { N: number; r: number; p: number; salt: Buffer; hash: Buffer }

function derive(password: string, salt: Buffer, options: { N: number; r: number; p: number }, length: number): Promise<Buffer> {
  const scryptOptions: ScryptOptions = { ...options, maxmem: 256 * options.N * options.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, scryptOptions, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** `scrypt$N$r$p$<salt base64>$<hash base64>`: self-describing, so the cost can rise without a migration. */
export async function digestPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, PASSWORD_SCRYPT, KEY_LENGTH);
  const { N, r, p } = PASSWORD_SCRYPT;
  return ['scrypt', N, r, p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export function parsePasswordDigest(digest: string): ParsedDigest | null {
  const parts = digest.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const hash = Buffer.from(parts[5] ?? '', 'base64');
  const powerOfTwo = Number.isInteger(N) && N > 1 && N <= MAX_N && (N & (N - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return null;
  if (salt.length < 8 || hash.length < 16) return null;
  return { N, r, p, salt, hash };
}

export async function verifyPassword(password: string, digest: string): Promise<boolean> {
  const parsed = parsePasswordDigest(digest);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/** Burns the same time as a real check, so an unknown username answers as slowly as a wrong password. */
export async function verifyAgainstNothing(password: string): Promise<false> {
  await derive(password, randomBytes(SALT_BYTES), PASSWORD_SCRYPT, KEY_LENGTH);
  return false;
}

/** A password for first start and `satellite user add` without one: 18 random bytes, 24 characters. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
