import { MS_PER_DAY, MS_PER_HOUR } from './clock.js';

/** Cisco's defaults (DESIGN §3); every one can be overridden in config. */
export interface LicensingTimers {
  idCertificateValidityMs: number;
  idCertificateRenewAfterMs: number;
  idCertificateBackdateMs: number;
  authorizationValidityMs: number;
  authorizationRenewAfterMs: number;
  /** Consecutive over-pool reports after which a product instance's inventory state is OUT_OF_COMPLIANCE. */
  outOfComplianceReports: number;
  /** Accepted distance between a request timestamp and the satellite clock; also the nonce memory. */
  clockSkewMs: number;
  tokenDefaultExpiryDays: number;
}

export const defaultLicensingTimers: LicensingTimers = {
  idCertificateValidityMs: 365 * MS_PER_DAY,
  idCertificateRenewAfterMs: 180 * MS_PER_DAY,
  idCertificateBackdateMs: MS_PER_HOUR,
  authorizationValidityMs: 90 * MS_PER_DAY,
  authorizationRenewAfterMs: 30 * MS_PER_DAY,
  outOfComplianceReports: 5,
  clockSkewMs: 24 * MS_PER_HOUR,
  tokenDefaultExpiryDays: 30,
};
