export interface Udi {
  pid: string;
  serialNumber: string;
  vid: string | null;
  hostIdentifier: string | null;
}

export type RegistrationState = 'REGISTERED' | 'UNREGISTERED';

/** DEVICE: registered by its smart agent; RESERVED: created by a license reservation (DESIGN §9.2). */
export type InstanceKind = 'DEVICE' | 'RESERVED';

export type AuthorizationState =
  | 'NOT_AUTHORIZED'
  | 'AUTHORIZED'
  | 'OUT_OF_COMPLIANCE'
  | 'NO_LICENSES_IN_USE'
  /** No AUTHORIZE within the authorization validity; the last report still counts (DESIGN §8.1). */
  | 'AUTHORIZATION_EXPIRED'
  /** The ID certificate lapsed unrenewed; the instance's usage is released. */
  | 'REGISTRATION_EXPIRED';

export interface ProductInstance {
  id: string;
  virtualAccountId: string;
  udi: Udi;
  productTag: string;
  hostname: string | null;
  ipAddress: string | null;
  tokenId: string | null;
  exportControlAllowed: boolean;
  registrationState: RegistrationState;
  authorizationState: AuthorizationState;
  registeredAt: number;
  lastContactAt: number;
  authorizedAt: number | null;
  authorizationExpiresAt: number | null;
  /** Consecutive AUTHORIZE reports in which some tag could not be covered by its pool. */
  shortReportStreak: number;
  currentCertificateSerial: string | null;
  /** As stored; absent on instances built before they were written, which are devices. */
  kind?: InstanceKind;
  /**
   * The stored row's change counter (migration 0018): it grows with every write of the row and every revocation
   * of one of its certificates. Absent on instances not read from the store.
   */
  revision?: number;
  /** The current ID certificate's key as the row keeps a copy of it (migration 0018); absent when not read from the store. */
  currentCertificate?: CertificateKey;
}

export type EntitlementStatus =
  | 'AUTHORIZED'
  | 'OUT_OF_COMPLIANCE'
  | 'NOT_AUTHORIZED'
  | 'INVALID_TAG'
  | 'RESERVED_AUTHORIZED';

export interface InstanceEntitlement {
  tag: string;
  requested: number;
  authorized: number;
  status: EntitlementStatus;
  updatedAt: number;
}

export type KeyAlgorithm = 'ES256' | 'RS256';

export interface IdCertificate {
  /** Lowercase hex without leading zeros (see normalizeSerial). */
  serial: string;
  productInstanceId: string;
  keyAlgorithm: KeyAlgorithm;
  /** SubjectPublicKeyInfo DER of the device key. */
  publicKeyDer: Uint8Array;
  pem: string;
  notBefore: number;
  notAfter: number;
  issuedAt: number;
  revokedAt: number | null;
}

/** What checking a device's signature needs of an ID certificate. */
export type CertificateKey = Pick<IdCertificate, 'serial' | 'productInstanceId' | 'keyAlgorithm' | 'publicKeyDer' | 'notAfter' | 'revokedAt'>;

/**
 * What the write transaction compares to tell that an instance, its certificates and its replay record are as a
 * read before it saw them (migration 0018): the row's revision and the replay record's answer count (null: none).
 */
export interface InstanceStamp { revision: number; messagesAnswered: number | null }

/** key_id matching is case-insensitive and ignores leading zeros (DESIGN §4.1). */
export function normalizeSerial(serial: string): string {
  const stripped = serial.trim().toLowerCase().replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}
