import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqliteDatabase } from '../../db/sqlite-connection.js';
import { openSqliteUpstreamStore } from '../../db/upstream/sqlite-upstream-unit-of-work.js';
import { ManualClock } from '../../licensing/shared/clock.js';
import { uuidGenerator } from '../../licensing/shared/id-generator.js';
import type { OrderLoadSummary } from '../../licensing/upstream/order-book-service.js';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';
import type { ImportResult } from '../../sync/import/response-importer.js';
import { readRegistrationFile } from '../../sync/registration/registration-file-reader.js';
import { readOrdersFile } from '../../sync/upstream/orders-file-reader.js';
import { openReferenceUpstream, type ReferenceUpstream } from '../../sync/upstream/reference-upstream.js';
import { RequestProcessor } from '../../sync/upstream/request-processor.js';

/** One line of an orders file (docs/upstream.md), as JSON. */
export interface OrderJson {
  order_line_id: string;
  smart_account: string;
  virtual_account: string;
  tag: string;
  display_name: string;
  description?: string;
  quantity: number;
  license_type: 'PERPETUAL' | 'TERM' | 'SUBSCRIPTION';
  start_date: string;
  end_date?: string;
  substitution_ladder?: string[];
}

export interface UpstreamExchange {
  dir: string;
  clock: ManualClock;
  app: SatelliteApp;
  upstream: ReferenceUpstream;
  /** The reference upstream's own SQLite connection, to read its rows as it keeps them. */
  upstreamDb: SqliteDatabase;
  satelliteId: string;
  loadOrders(lines: readonly OrderJson[]): Promise<OrderLoadSummary>;
  /** One disconnected round trip: satellite export, upstream process, satellite import. */
  sync(): Promise<{ request: string; response: string; result: ImportResult }>;
  close(): void;
}

let files = 0;

/**
 * A satellite and the reference upstream (its own data directory, key and SQLite file), sharing only files and
 * a ManualClock: the satellite is registered for `accounts` (every VA of each).
 */
export async function openUpstreamExchange(orders: readonly OrderJson[], accounts: readonly string[]): Promise<UpstreamExchange> {
  const dir = mkdtempSync(join(tmpdir(), 'upstream-exchange-'));
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 12));
  const app = await createSatelliteApp({ clock });
  const opened: { db?: SqliteDatabase } = {};
  const upstream = openReferenceUpstream({
    dataDir: join(dir, 'upstream'), clock, newId: uuidGenerator,
    openStore: (file) => {
      const store = openSqliteUpstreamStore(file);
      opened.db = store.db;
      return store;
    },
  });
  const upstreamDb = opened.db;
  if (!upstreamDb) throw new Error('the upstream store was not opened');
  const loadOrders = async (lines: readonly OrderJson[]): Promise<OrderLoadSummary> => {
    files += 1;
    const file = join(dir, `orders-${files}.json`);
    writeFileSync(file, JSON.stringify({ format: 'upstream-orders', version: 1, lines }));
    return upstream.orders.load(await readOrdersFile(file));
  };
  await loadOrders(orders);
  const issued = upstream.issueRegistration({ name: 'Site A', accounts: accounts.map((account) => ({ account })) });
  writeFileSync(join(dir, 'registration.json'), issued.file);
  app.satellite.satelliteBinding.register(await readRegistrationFile(join(dir, 'registration.json')), { actorId: 'test' });
  const processor = new RequestProcessor(upstream);
  return {
    dir, clock, app, upstream, upstreamDb, satelliteId: issued.satellite.id, loadOrders,
    sync: async () => {
      files += 1;
      const request = join(dir, `request-${files}.zip`);
      const response = join(dir, `response-${files}.zip`);
      await app.satellite.requestExporter.exportRequestBundle({ outFile: request });
      await processor.processRequest(request, response);
      return { request, response, result: await app.satellite.responseImporter.importFile(response, 'test') };
    },
    close: () => {
      upstream.close();
      app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
