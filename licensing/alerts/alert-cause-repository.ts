import type { RegistrationToken } from '../tokens/registration-token.js';
import type { Alert } from './alert.js';
import type { PoolSubject, RenewalSubject } from './alert-rules.js';

export interface ExpiringToken {
  token: RegistrationToken;
  accountId: string;
  virtualAccountName: string;
}

/** The reads behind the alert rules: each finds every current cause of one alert type in one query. */
export interface AlertCauseRepository {
  /** Pools where requested + reserved exceeds the quantity of lines active at `now`. */
  insufficientPools(now: number): PoolSubject[];
  /** Active (not revoked, not used up) tokens expiring in (now, until]. */
  tokensExpiringBy(now: number, until: number): ExpiringToken[];
  /** Registered instances last authorized before `authorizedBefore`, or whose authorization expired by `now`. */
  renewalCandidates(authorizedBefore: number, now: number): RenewalSubject[];
  activeAlert(messageType: string, target: string): Alert | undefined;
  activeAlertsOfTypes(messageTypes: readonly string[]): Alert[];
  activeAlertsForTarget(target: string): Alert[];
}
