import type { RegisteredSatellite } from '../../licensing/upstream/registered-satellite.js';
import { encodeRegistrationFile, REGISTRATION_FORMAT, REGISTRATION_VERSION } from '../../protocol/satellite-registration.js';
import type { UpstreamIdentity } from './upstream-identity-store.js';

/** The signed registration file for a satellite the registry has just recorded (protocol/satellite-registration.ts). */
export function issueRegistrationFile(identity: UpstreamIdentity, satellite: RegisteredSatellite, upstreamUrl: string | null): string {
  return encodeRegistrationFile({
    format: REGISTRATION_FORMAT,
    version: REGISTRATION_VERSION,
    satellite_id: satellite.id,
    satellite_name: satellite.name,
    upstream_id: identity.upstreamId,
    upstream_url: upstreamUrl,
    upstream_public_key: identity.publicKeyPem,
    accounts: satellite.accounts.map((a) => ({ account: a.account, virtual_accounts: a.virtualAccounts })),
    credential_expires_at: satellite.credentialExpiresAt,
    issued_at: satellite.issuedAt,
  }, identity.privateKey);
}
