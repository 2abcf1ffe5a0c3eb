import type { UpstreamRepositories, UpstreamStore, UpstreamUnitOfWork } from '../../licensing/upstream/upstream-unit-of-work.js';
import { openDatabase, type SqliteDatabase } from '../sqlite-connection.js';
import { SqliteRegisteredSatelliteRepository } from './sqlite-registered-satellite-repository.js';
import { SqliteSatelliteReportRepository } from './sqlite-satellite-report-repository.js';
import { SqliteUpstreamOrderRepository } from './sqlite-upstream-order-repository.js';
import { upstreamMigrations } from './upstream-migration-list.js';

type Work = (repos: UpstreamRepositories) => unknown;

export class SqliteUpstreamUnitOfWork implements UpstreamUnitOfWork {
  readonly #transaction;

  constructor(db: SqliteDatabase) {
    // Repositories prepare their statements once and live as long as the connection.
    const repos: UpstreamRepositories = {
      orders: new SqliteUpstreamOrderRepository(db), satellites: new SqliteRegisteredSatelliteRepository(db), reports: new SqliteSatelliteReportRepository(db),
    };
    this.#transaction = db.transaction((work: Work) => work(repos));
  }

  write<T>(work: (repos: UpstreamRepositories) => T): T {
    return this.#transaction.immediate(work) as T;
  }

  read<T>(work: (repos: UpstreamRepositories) => T): T {
    return this.#transaction.deferred(work) as T;
  }
}

/** Opens (creating and migrating) the upstream's SQLite file; ':memory:' for tests. */
export function openSqliteUpstreamStore(filename: string): UpstreamStore & { db: SqliteDatabase } {
  const db = openDatabase({ filename, migrations: upstreamMigrations });
  return {
    db,
    uow: new SqliteUpstreamUnitOfWork(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
