import type { AccountRepository } from '../accounts/account-repository.js';
import type { AlertCauseRepository } from '../alerts/alert-cause-repository.js';
import type { AlertRepository } from '../alerts/alert-repository.js';
import type { CatalogRepository } from '../catalog/catalog-entry.js';
import type { DeviceMessageRepository } from '../device/device-message-repository.js';
import type { EventRepository } from '../events/event-repository.js';
import type { InstanceInventoryRepository } from '../instances/instance-inventory-repository.js';
import type { CertificateRepository, ProductInstanceRepository } from '../instances/product-instance-repository.js';
import type { LicenseRepository } from '../licenses/license-repository.js';
import type { UsageHistoryRepository } from '../licenses/usage-history.js';
import type { SatelliteBindingRepository } from '../binding/satellite-binding-repository.js';
import type { UpstreamSyncRepository } from '../sync-import/upstream-snapshot.js';
import type { ReservationRepository } from '../reservations/reservation-repository.js';
import type { TokenRepository } from '../tokens/token-repository.js';
import type { AccessTokenRepository, ApiClientRepository } from '../users/api-client-repository.js';
import type { SessionRepository, UserRepository } from '../users/user-repository.js';

export interface Repositories {
  accounts: AccountRepository;
  licenses: LicenseRepository;
  catalog: CatalogRepository;
  usageHistory: UsageHistoryRepository;
  tokens: TokenRepository;
  instances: ProductInstanceRepository;
  certificates: CertificateRepository;
  events: EventRepository;
  alerts: AlertRepository;
  deviceMessages: DeviceMessageRepository;
  instanceInventory: InstanceInventoryRepository;
  alertCauses: AlertCauseRepository;
  users: UserRepository;
  sessions: SessionRepository;
  apiClients: ApiClientRepository;
  accessTokens: AccessTokenRepository;
  satelliteBinding: SatelliteBindingRepository;
  upstreamSync: UpstreamSyncRepository;
  reservations: ReservationRepository;
}

/**
 * Runs work atomically. The callback is synchronous on purpose: no network I/O or await may happen while
 * the write lock is held, so prepare async work (signatures, certificates) before and send after.
 */
export interface UnitOfWork {
  /** An immediate (write-locking) transaction. */
  write<T>(work: (repos: Repositories) => T): T;
  /** A consistent read without taking the write lock. */
  read<T>(work: (repos: Repositories) => T): T;
  /**
   * Independent units of work in ONE immediate transaction, each inside its own savepoint: a unit that throws
   * rolls back only its own changes and reports its error, the others still commit. Outcomes are returned in
   * order once COMMIT has succeeded. Sharing one COMMIT is what makes this cheaper than a write() per unit.
   * Throws, with nothing committed, when the transaction itself fails (BEGIN, COMMIT, or SQLite abandoning it).
   */
  writeBatch<T>(works: ReadonlyArray<(repos: Repositories) => T>): Array<BatchOutcome<T>>;
  /**
   * A read snapshot that stays the same across many reads and event-loop turns, for long walks done in windows
   * (the CSV export of every instance): device writes go on meanwhile, but the walk sees the database as it was
   * when the snapshot began, so rows that move in the walk's order (a device reporting changes its last contact)
   * are neither skipped nor seen twice. Null when the store cannot give one (an in-memory database): then each
   * read is its own snapshot. The caller must close() it.
   */
  openSnapshot(): ReadSnapshot | null;
}

export interface ReadSnapshot {
  read<T>(work: (repos: Repositories) => T): T;
  close(): void;
}

export type BatchOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };
