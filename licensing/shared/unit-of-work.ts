import type { AccountRepository } from '../accounts/account-repository.js';
import type { AlertRepository } from '../alerts/alert-repository.js';
import type { DeviceMessageRepository } from '../device/device-message-repository.js';
import type { EventRepository } from '../events/event-repository.js';
import type { CertificateRepository, ProductInstanceRepository } from '../instances/product-instance-repository.js';
import type { LicenseRepository } from '../licenses/license-repository.js';
import type { TokenRepository } from '../tokens/token-repository.js';

export interface Repositories {
  accounts: AccountRepository;
  licenses: LicenseRepository;
  tokens: TokenRepository;
  instances: ProductInstanceRepository;
  certificates: CertificateRepository;
  events: EventRepository;
  alerts: AlertRepository;
  deviceMessages: DeviceMessageRepository;
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
}
