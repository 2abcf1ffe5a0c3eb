import type { Repositories, UnitOfWork } from '../licensing/shared/unit-of-work.js';
import { SqliteAccountRepository } from './repositories/sqlite-account-repository.js';
import { SqliteAlertRepository } from './repositories/sqlite-alert-repository.js';
import { SqliteCertificateRepository } from './repositories/sqlite-certificate-repository.js';
import { SqliteDeviceMessageRepository } from './repositories/sqlite-device-message-repository.js';
import { SqliteEventRepository } from './repositories/sqlite-event-repository.js';
import { SqliteLicenseRepository } from './repositories/sqlite-license-repository.js';
import { SqliteProductInstanceRepository } from './repositories/sqlite-product-instance-repository.js';
import { SqliteTokenRepository } from './repositories/sqlite-token-repository.js';
import type { SqliteDatabase } from './sqlite-connection.js';

type Work = (repos: Repositories) => unknown;

export class SqliteUnitOfWork implements UnitOfWork {
  readonly #repos: Repositories;
  readonly #transaction;

  constructor(db: SqliteDatabase) {
    // Repositories prepare their statements once, here, and live as long as the connection.
    this.#repos = {
      accounts: new SqliteAccountRepository(db),
      licenses: new SqliteLicenseRepository(db),
      tokens: new SqliteTokenRepository(db),
      instances: new SqliteProductInstanceRepository(db),
      certificates: new SqliteCertificateRepository(db),
      events: new SqliteEventRepository(db),
      alerts: new SqliteAlertRepository(db),
      deviceMessages: new SqliteDeviceMessageRepository(db),
    };
    this.#transaction = db.transaction((work: Work) => work(this.#repos));
  }

  write<T>(work: (repos: Repositories) => T): T {
    return this.#transaction.immediate(work) as T;
  }

  read<T>(work: (repos: Repositories) => T): T {
    return this.#transaction.deferred(work) as T;
  }
}
