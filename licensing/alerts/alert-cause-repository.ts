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

/** Storage positions of the product instances (first and last), for reading them in chunks. */
export interface ScanSpan { first: number; last: number }
/** One chunk of a scan: positions in (after, upTo]. */
export interface ScanChunk { after: number; upTo: number }

/** Positions per chunk: one chunk is a few milliseconds of reading (docs/performance.md). */
export const SCAN_CHUNK = 20_000;

/** The chunks that cover a span, in order. */
export function* scanChunks(span: ScanSpan | null, size = SCAN_CHUNK): Generator<ScanChunk> {
  if (!span) return;
  for (let after = span.first - 1; after < span.last; after += size) yield { after, upTo: Math.min(span.last, after + size) };
}

/** The reads behind the alert rules: each finds every current cause of one alert type in one query. */
export interface AlertCauseRepository {
  /** Registered instances whose inventory state is one of these. */
  instancesInStates(states: readonly string[]): InstanceSubject[];
  instanceSpan(): ScanSpan | null;
  /** Registered instances in the chunk whose authorization expired by `now` and that are not marked so yet. */
  authorizationsLapsedBy(now: number, chunk: ScanChunk): ProductInstance[];
  /** Registered instances whose current ID certificate's not-after passed by `now`, not marked so yet. */
  registrationsLapsedBy(now: number): ProductInstance[];
  /** The earliest line start or end after `now`, when a pool's numbers change by time alone; null when none. */
  nextLineBoundaryAfter(now: number): number | null;
  /** Active (not revoked, not used up) tokens expiring in (now, until]. */
  tokensExpiringBy(now: number, until: number): ExpiringToken[];
  /** Registered instances in the chunk last authorized before `authorizedBefore` (renewalCutoff): the only ones that can be OVERDUE. */
  renewalCandidates(authorizedBefore: number, chunk: ScanChunk): RenewalSubject[];
  activeAlert(messageType: string, target: string): Alert | undefined;
  activeAlertsOfTypes(messageTypes: readonly string[]): Alert[];
  activeAlertsForTarget(target: string): Alert[];
}
