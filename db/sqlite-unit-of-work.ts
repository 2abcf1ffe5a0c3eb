import Database from 'better-sqlite3';
import type { BatchOutcome, ReadSnapshot, Repositories, UnitOfWork } from '../licensing/shared/unit-of-work.js';
import { SqliteAccountRepository } from './repositories/sqlite-account-repository.js';
import { SqliteAlertCauseRepository } from './repositories/sqlite-alert-cause-repository.js';
import { SqliteAlertRepository } from './repositories/sqlite-alert-repository.js';
import { SqliteCatalogRepository } from './repositories/sqlite-catalog-repository.js';
import { SqliteUsageHistoryRepository } from './repositories/sqlite-usage-history-repository.js';
import { SqliteCertificateRepository } from './repositories/sqlite-certificate-repository.js';
import { SqliteDeviceMessageRepository } from './repositories/sqlite-device-message-repository.js';
import { SqliteEventRepository } from './repositories/sqlite-event-repository.js';
import { SqliteInstanceInventoryRepository } from './repositories/sqlite-instance-inventory-repository.js';
import { SqliteLicenseRepository } from './repositories/sqlite-license-repository.js';
import { SqliteProductInstanceRepository } from './repositories/sqlite-product-instance-repository.js';
import { SqliteReservationRepository } from './repositories/sqlite-reservation-repository.js';
import { SqliteSatelliteBindingRepository } from './repositories/sqlite-satellite-binding-repository.js';
import { SqliteUpstreamSyncRepository } from './repositories/sqlite-upstream-sync-repository.js';
import { SqliteTokenRepository } from './repositories/sqlite-token-repository.js';
import { SqliteAccessTokenRepository, SqliteApiClientRepository } from './repositories/sqlite-api-client-repository.js';
import { SqliteSessionRepository } from './repositories/sqlite-session-repository.js';
import { SqliteUserRepository } from './repositories/sqlite-user-repository.js';
import type { SqliteDatabase } from './sqlite-connection.js';

type Work = (repos: Repositories) => unknown;

export class SqliteUnitOfWork implements UnitOfWork {
  readonly #db: SqliteDatabase;
  readonly #repos: Repositories;
  readonly #transaction;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    // Repositories prepare their statements once, here, and live as long as the connection.
    this.#repos = {
      accounts: new SqliteAccountRepository(db),
      licenses: new SqliteLicenseRepository(db),
      catalog: new SqliteCatalogRepository(db),
      usageHistory: new SqliteUsageHistoryRepository(db),
      tokens: new SqliteTokenRepository(db),
      instances: new SqliteProductInstanceRepository(db),
      certificates: new SqliteCertificateRepository(db),
      events: new SqliteEventRepository(db),
      alerts: new SqliteAlertRepository(db),
      deviceMessages: new SqliteDeviceMessageRepository(db),
      instanceInventory: new SqliteInstanceInventoryRepository(db),
      alertCauses: new SqliteAlertCauseRepository(db),
      users: new SqliteUserRepository(db),
      sessions: new SqliteSessionRepository(db),
      apiClients: new SqliteApiClientRepository(db),
      accessTokens: new SqliteAccessTokenRepository(db),
      satelliteBinding: new SqliteSatelliteBindingRepository(db),
      upstreamSync: new SqliteUpstreamSyncRepository(db),
      reservations: new SqliteReservationRepository(db),
    };
    this.#transaction = db.transaction((work: Work) => work(this.#repos));
  }

  write<T>(work: (repos: Repositories) => T): T {
    return this.#transaction.immediate(work) as T;
  }

  read<T>(work: (repos: Repositories) => T): T {
    return this.#transaction.deferred(work) as T;
  }

  writeBatch<T>(works: ReadonlyArray<(repos: Repositories) => T>): Array<BatchOutcome<T>> {
    const outcomes: Array<BatchOutcome<T>> = [];
    this.#transaction.immediate(() => {
      for (const work of works) {
        try {
          // Called inside a transaction, better-sqlite3 wraps the unit in SAVEPOINT ... RELEASE and rolls back
          // to the savepoint when it throws, so a failed unit leaves nothing behind and the others go on.
          outcomes.push({ ok: true, value: this.#transaction(work) as T });
        } catch (error) {
          // Some errors (disk full, I/O) make SQLite abandon the whole transaction; then the earlier units are
          // gone too and must not be reported as committed. Rethrowing fails the whole batch.
          if (!this.#db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
    });
    return outcomes;
  }

  openSnapshot(): ReadSnapshot | null {
    // A second connection of its own: a read transaction left open on the shared one would hold every write
    // transaction of the process behind it. In WAL mode the writer goes on; only checkpoints wait for the end.
    if (this.#db.memory || this.#db.name === '') return null;
    const connection = new Database(this.#db.name, { readonly: true, fileMustExist: true });
    try {
      connection.pragma('busy_timeout = 5000');
      const snapshot = new SqliteUnitOfWork(connection);
      connection.prepare('BEGIN').run();
      // The snapshot is taken at the first read of the transaction.
      connection.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get();
      let open = true;
      return {
        read: (work) => work(snapshot.#repos),
        close: () => {
          if (!open) return;
          open = false;
          try {
            if (connection.inTransaction) connection.prepare('COMMIT').run();
          } finally {
            connection.close();
          }
        },
      };
    } catch (error) {
      connection.close();
      throw error;
    }
  }
}
