import type { Clock } from '../shared/clock.js';
import { ConflictError, DomainError, NotFoundError } from '../shared/domain-error.js';
import type { UpstreamOrderLine } from './order-line.js';
import type { RegisteredSatellite } from './registered-satellite.js';
import type {
  ReportedEventCount, ReportedPoolUsage, ReportedProductInstance, ReportedReservation, ReportedVirtualAccount, ReservedSeats,
  SatelliteReportSummary,
} from './satellite-report.js';
import { effectiveEnd } from './order-line.js';
import { DEFAULT_CREDENTIAL_VALIDITY_MS } from './satellite-registry-service.js';
import type { UpstreamUnitOfWork } from './upstream-unit-of-work.js';

export type SyncRefusalReason = 'UNKNOWN_SATELLITE' | 'RETIRED_SATELLITE' | 'KEY_MISMATCH' | 'CONCURRENT_REQUEST';

/** A request the upstream will not serve; VALIDATION_FAILED (HTTP 400) with a stable `details.reason`. */
export class SyncRefusedError extends DomainError {
  readonly reason: string;

  constructor(reason: string, message: string) {
    super('VALIDATION_FAILED', message, { reason });
    this.name = 'SyncRefusedError';
    this.reason = reason;
  }
}

export interface CompleteRequestInput {
  /** The satellite as read when processing began: the commit refuses if another request got in between. */
  satellite: RegisteredSatellite;
  requestSequence: number;
  responseSequence: number;
  /** The key the request verified with: pinned now if nothing was pinned yet. */
  satellitePublicKeyPem: string;
  credentialExpiresAt: number;
  /** What the upstream holds of the satellite's instances after this request (RegisteredSatellite.instancesSequence). */
  instancesSequence: number | null;
  /** The request listed every instance: those the upstream holds and it did not list are marked removed. */
  fullSnapshot: boolean;
}

/**
 * The upstream's side of a sync exchange (DESIGN §5.2-5.4). Reports are stored in bounded batches, each its
 * own transaction, because a request may list 100,000 instances and a transaction cannot span the awaits of
 * reading the bundle; the upserts are idempotent, so a failed request that is sent again converges. The
 * request only counts as accepted (sequence, pinned key, last sync, credential) in `completeRequest`.
 */
export class SatelliteSyncService {
  readonly #deps: { uow: UpstreamUnitOfWork; clock: Clock; credentialValidityMs?: number };

  constructor(deps: { uow: UpstreamUnitOfWork; clock: Clock; credentialValidityMs?: number }) {
    this.#deps = deps;
  }

  /** The satellite a request claims to come from; unknown and retired satellites are refused. */
  requireActive(satelliteId: string): RegisteredSatellite {
    const satellite = this.#deps.uow.read((repos) => repos.satellites.findById(satelliteId));
    if (!satellite) throw new SyncRefusedError('UNKNOWN_SATELLITE', `satellite ${satelliteId} is not registered with this upstream`);
    if (satellite.retiredAt !== null) {
      throw new SyncRefusedError('RETIRED_SATELLITE',
        `satellite ${satelliteId} was retired on ${new Date(satellite.retiredAt).toISOString()} after 90 days without sync; register it again`);
    }
    return satellite;
  }

  nextCredentialExpiry(now: number): number {
    return now + (this.#deps.credentialValidityMs ?? DEFAULT_CREDENTIAL_VALIDITY_MS);
  }

  recordInstances(satelliteId: string, sequence: number, batch: readonly ReportedProductInstance[]): void {
    const now = this.#deps.clock.now();
    this.#deps.uow.write((repos) => {
      for (const instance of batch) repos.reports.upsertInstance(satelliteId, sequence, now, instance);
    });
  }

  recordUsage(satelliteId: string, sequence: number, batch: readonly ReportedPoolUsage[]): void {
    const now = this.#deps.clock.now();
    this.#deps.uow.write((repos) => {
      for (const usage of batch) repos.reports.upsertUsage(satelliteId, sequence, now, usage);
    });
  }

  recordVirtualAccounts(satelliteId: string, sequence: number, batch: readonly ReportedVirtualAccount[]): void {
    const now = this.#deps.clock.now();
    this.#deps.uow.write((repos) => {
      for (const va of batch) repos.reports.upsertVirtualAccount(satelliteId, sequence, now, va);
    });
  }

  recordEventCounts(satelliteId: string, sequence: number, batch: readonly ReportedEventCount[]): void {
    const now = this.#deps.clock.now();
    this.#deps.uow.write((repos) => {
      for (const count of batch) repos.reports.upsertEventCount(satelliteId, sequence, now, count);
    });
  }

  recordReservations(satelliteId: string, sequence: number, reservations: readonly ReportedReservation[]): void {
    const now = this.#deps.clock.now();
    this.#deps.uow.write((repos) => repos.reports.replaceReservations(satelliteId, sequence, now, reservations));
  }

  /**
   * Reserved seats counted against the purchased lines of a satellite's accounts: what the upstream has sold
   * minus what devices behind satellites hold by reservation, per account, VA and tag.
   */
  reservedAgainstLines(satellite: Pick<RegisteredSatellite, 'accounts'>, now: number): Array<ReservedSeats & { purchased: number; available: number }> {
    const purchased = new Map<string, number>();
    const key = (account: string, va: string, tag: string) => `${account}\u0000${va}\u0000${tag}`;
    for (const line of this.linesFor(satellite)) {
      const end = effectiveEnd(line);
      if (line.startsAt > now || (end !== null && now >= end)) continue;
      const k = key(line.smartAccount, line.virtualAccount, line.tag);
      purchased.set(k, (purchased.get(k) ?? 0) + line.quantity);
    }
    const mapped = new Set(satellite.accounts.flatMap((m) => m.virtualAccounts.map((va) => `${m.account}\u0000${va}`)));
    const seatsOfSatellite = this.#deps.uow.read((repos) => repos.reports.reservedSeats())
      .filter((seats) => mapped.has(`${seats.account}\u0000${seats.virtualAccount}`));
    return seatsOfSatellite.map((seats) => {
      const bought = purchased.get(key(seats.account, seats.virtualAccount, seats.tag)) ?? 0;
      return { ...seats, purchased: bought, available: bought - seats.reserved };
    });
  }

  /** Accepts the request: sequence, pinned key, last sync (which resets the 90-day retirement clock) and credential. */
  completeRequest(input: CompleteRequestInput): RegisteredSatellite {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const current = repos.satellites.findById(input.satellite.id);
      if (!current || current.retiredAt !== null) throw new SyncRefusedError('RETIRED_SATELLITE', `satellite ${input.satellite.id} is no longer active`);
      if (current.requestSequence !== input.satellite.requestSequence || current.responseSequence !== input.satellite.responseSequence) {
        throw new ConflictError(`another request from satellite ${current.id} was processed meanwhile; send a new request`, { reason: 'CONCURRENT_REQUEST' });
      }
      if (current.satellitePublicKeyPem !== null && current.satellitePublicKeyPem !== input.satellite.satellitePublicKeyPem) {
        throw new SyncRefusedError('KEY_MISMATCH', `the pinned key of satellite ${current.id} changed during processing`);
      }
      repos.reports.dropReportsBefore(current.id, input.requestSequence);
      if (input.fullSnapshot) repos.reports.markUnlistedInstancesRemoved(current.id, input.requestSequence, now);
      const accepted: RegisteredSatellite = {
        ...current, requestSequence: input.requestSequence, responseSequence: input.responseSequence, lastSyncAt: now,
        instancesSequence: input.instancesSequence,
        credentialExpiresAt: input.credentialExpiresAt, satellitePublicKeyPem: current.satellitePublicKeyPem ?? input.satellitePublicKeyPem,
      };
      repos.satellites.update(accepted);
      return accepted;
    });
  }

  /** Every order line of the satellite's mapped accounts and VAs, ended ones included: the full snapshot. */
  linesFor(satellite: Pick<RegisteredSatellite, 'accounts'>): UpstreamOrderLine[] {
    const wanted = new Set(satellite.accounts.flatMap((m) => m.virtualAccounts.map((va) => `${m.account}\u0000${va}`)));
    return this.#deps.uow.read((repos) => repos.orders.listLines()).filter((l) => wanted.has(`${l.smartAccount}\u0000${l.virtualAccount}`));
  }

  countInstances(satelliteId: string): { registered: number; removed: number } {
    return this.#deps.uow.read((repos) => repos.reports.countInstances(satelliteId));
  }

  /** Every satellite (or the one asked for) with what its accepted requests reported: `satellite upstream status`. */
  status(satelliteId?: string): Array<{ satellite: RegisteredSatellite; reports: SatelliteReportSummary }> {
    return this.#deps.uow.read((repos) => {
      const satellites = satelliteId === undefined ? repos.satellites.list() : [repos.satellites.findById(satelliteId)].filter((s) => s !== undefined);
      if (satelliteId !== undefined && satellites.length === 0) throw new NotFoundError('satellite', satelliteId);
      return satellites.map((satellite) => ({ satellite, reports: repos.reports.summarize(satellite.id) }));
    });
  }
}
