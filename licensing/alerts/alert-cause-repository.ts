import type { RegistrationToken } from '../tokens/registration-token.js';
import type { Alert } from './alert.js';
import type { RenewalSubject } from './alert-rules.js';
import type { InstanceSubject } from './license-alert-rules.js';
import type { ProductInstance } from '../instances/product-instance.js';

export interface ExpiringToken {
  token: RegistrationToken;
  accountId: string;
  virtualAccountName: string;
}

/** The reads behind the alert rules: each finds every current cause of one alert type in one query. */
export interface AlertCauseRepository {
  /** Registered instances whose inventory state is one of these. */
  instancesInStates(states: readonly string[]): InstanceSubject[];
  /** Registered instances whose authorization expired by `now` and that are not marked so yet. */
  authorizationsLapsedBy(now: number): ProductInstance[];
  /** Registered instances whose current ID certificate's not-after passed by `now`, not marked so yet. */
  registrationsLapsedBy(now: number): ProductInstance[];
  /** The earliest line start or end after `now`, when a pool's numbers change by time alone; null when none. */
  nextLineBoundaryAfter(now: number): number | null;
  /** Active (not revoked, not used up) tokens expiring in (now, until]. */
  tokensExpiringBy(now: number, until: number): ExpiringToken[];
  /**
   * Registered instances last authorized before `authorizedBefore` (renewalCutoff): the only ones that can be
   * OVERDUE. Read through an index, so the sweep fetches these candidates only.
   */
  renewalCandidates(authorizedBefore: number): RenewalSubject[];
  activeAlert(messageType: string, target: string): Alert | undefined;
  activeAlertsOfTypes(messageTypes: readonly string[]): Alert[];
  activeAlertsForTarget(target: string): Alert[];
}
