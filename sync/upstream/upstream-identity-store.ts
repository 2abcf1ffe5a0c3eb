import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { IdGenerator } from '../../licensing/shared/id-generator.js';
import { publicKeyFingerprint } from '../../protocol/key-fingerprint.js';
import { formatZodIssues } from '../../protocol/signed-envelope.js';

/** Files in the upstream's data directory, all mode 0600 (the directory is 0700). */
export const UPSTREAM_FILES = {
  identity: 'upstream.json',
  privateKey: 'upstream-key.pem',
  publicKey: 'upstream-public.pem',
  database: 'upstream.db',
} as const;

export interface UpstreamIdentity {
  upstreamId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
  /** SHA-256 of the public key's SPKI, lowercase hex: what both sides print. */
  fingerprint: string;
  createdAt: number;
}

const identityFileSchema = z.strictObject({ upstream_id: z.string().min(1).max(128), created_at: z.number().int().nonnegative() });

/**
 * The upstream's id and P-256 signing key: created on first start, reused ever after. A partial set is an
 * error rather than silently regenerated, because a new key would orphan every satellite that pinned the old.
 */
export function loadOrCreateUpstreamIdentity(dataDir: string, options: { now: number; newId: IdGenerator }): { identity: UpstreamIdentity; created: boolean } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const paths = { identity: join(dataDir, UPSTREAM_FILES.identity), privateKey: join(dataDir, UPSTREAM_FILES.privateKey), publicKey: join(dataDir, UPSTREAM_FILES.publicKey) };
  const present = Object.values(paths).filter((path) => existsSync(path));
  if (present.length === 3) return { identity: readIdentity(paths), created: false };
  if (present.length > 0) {
    throw new Error(`incomplete upstream identity in ${dataDir}: found ${present.length} of 3 files (${Object.values(UPSTREAM_FILES).slice(0, 3).join(', ')}); restore the missing ones from a backup`);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const identity: UpstreamIdentity = {
    upstreamId: options.newId(), privateKey, publicKeyPem, fingerprint: publicKeyFingerprint(publicKey), createdAt: options.now,
  };
  // The key goes first and the identity file last: a crash in between leaves a partial set, which is refused above.
  writePrivate(paths.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  writePrivate(paths.publicKey, publicKeyPem);
  writePrivate(paths.identity, `${JSON.stringify({ upstream_id: identity.upstreamId, created_at: identity.createdAt }, null, 2)}\n`);
  return { identity, created: true };
}

function readIdentity(paths: { identity: string; privateKey: string; publicKey: string }): UpstreamIdentity {
  const parsed = identityFileSchema.safeParse(JSON.parse(readFileSync(paths.identity, 'utf8')));
  if (!parsed.success) throw new Error(`${paths.identity}: ${formatZodIssues(parsed.error)}`);
  const privateKey = createPrivateKey(readFileSync(paths.privateKey, 'utf8'));
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${paths.privateKey}: the upstream key must be EC P-256`);
  }
  const publicKeyPem = readFileSync(paths.publicKey, 'utf8');
  const fingerprint = publicKeyFingerprint(publicKeyPem);
  if (fingerprint !== publicKeyFingerprint(createPublicKey(privateKey))) {
    throw new Error(`${paths.publicKey} does not belong to ${paths.privateKey}; restore the pair from a backup`);
  }
  return { upstreamId: parsed.data.upstream_id, privateKey, publicKeyPem, fingerprint, createdAt: parsed.data.created_at };
}

function writePrivate(path: string, content: string): void {
  // Write then rename so a crash never leaves a truncated key behind.
  writeFileSync(`${path}.tmp`, content, { mode: 0o600 });
  chmodSync(`${path}.tmp`, 0o600);
  renameSync(`${path}.tmp`, path);
}
