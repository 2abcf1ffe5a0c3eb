import { readFile, stat } from 'node:fs/promises';
import { ValidationError } from '../../licensing/shared/domain-error.js';
import type { SatelliteRegistrationGrant } from '../../licensing/binding/satellite-binding.js';
import { normalizeFingerprint } from '../../protocol/key-fingerprint.js';
import {
  decodeRegistrationFile, MAX_REGISTRATION_FILE_BYTES, RegistrationFileError, type VerifiedRegistration,
} from '../../protocol/satellite-registration.js';

/**
 * The satellite's side of the registration file: read it (size-capped), verify it and hand the binding service
 * what it says. `pinnedFingerprint` is what the admin was told by the upstream, in any of the printed forms.
 */
export async function readRegistrationFile(path: string, pinnedFingerprint?: string): Promise<SatelliteRegistrationGrant> {
  const size = (await stat(path)).size;
  if (size > MAX_REGISTRATION_FILE_BYTES) {
    throw new ValidationError(`${path}: a registration file is at most ${MAX_REGISTRATION_FILE_BYTES} bytes, this one has ${size}`, { reason: 'MALFORMED' });
  }
  return registrationGrantOf(await readFile(path, 'utf8'), pinnedFingerprint, path);
}

export function registrationGrantOf(text: string, pinnedFingerprint?: string, source = 'registration file'): SatelliteRegistrationGrant {
  let pin: string | undefined;
  if (pinnedFingerprint !== undefined) {
    pin = normalizeFingerprint(pinnedFingerprint) ?? undefined;
    if (pin === undefined) throw new ValidationError('--fingerprint must be 64 hexadecimal digits (SHA-256), optionally separated by colons', { field: 'fingerprint' });
  }
  let verified: VerifiedRegistration;
  try {
    verified = decodeRegistrationFile(text, pin);
  } catch (error) {
    if (error instanceof RegistrationFileError) throw new ValidationError(`${source}: ${error.message}`, { reason: error.code });
    throw error;
  }
  const r = verified.registration;
  return {
    satelliteId: r.satellite_id, satelliteName: r.satellite_name, upstreamId: r.upstream_id, upstreamUrl: r.upstream_url,
    upstreamPublicKeyPem: r.upstream_public_key, upstreamKeyFingerprint: verified.fingerprint,
    accounts: r.accounts.map((a) => ({ account: a.account, virtualAccounts: a.virtual_accounts })),
    credentialExpiresAt: r.credential_expires_at, issuedAt: r.issued_at,
  };
}
