import type { LicenseType } from '../licenses/license-line.js';

/** What the satellite reads from a request code (DESIGN §9.1). */
export interface RequestCodeInfo {
  code: string;
  pid: string;
  serialNumber: string;
  vid: string | null;
  hostIdentifier: string | null;
}

export interface SpecificEntitlement {
  tag: string;
  count: number;
  /** Epoch ms of the line the reservation draws on; null endsAt for perpetual lines. */
  startsAt: number;
  endsAt: number | null;
  licenseType: LicenseType;
  displayName: string;
  description: string;
}

export interface SpecificAuthorizationInput {
  productInstanceId: string;
  issuedAt: number;
  udi: { pid: string; serialNumber: string };
  entitlements: SpecificEntitlement[];
}

/**
 * The code formats, implemented in protocol/ with the satellite signing key (the domain may not import
 * wire formats). Parsing throws a ValidationError naming what is wrong.
 */
export interface ReservationCodec {
  parseRequestCode(code: string): RequestCodeInfo;
  issueSpecific(input: SpecificAuthorizationInput): string;
  issueUniversal(requestCode: string): string;
  confirmationCode(authorizationCode: string): string;
  returnCode(authorizationCode: string): string;
  /** Typed codes compare without grouping dashes and whitespace. */
  sameCode(typed: string, expected: string): boolean;
}
