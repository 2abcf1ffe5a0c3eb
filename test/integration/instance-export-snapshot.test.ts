import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { seedScaleInventory } from '../../db/sqlite-scale-seeder.js';
import { EXPORT_WINDOW, InstanceQueryService } from '../../licensing/instances/instance-query-service.js';
import { systemClock } from '../../licensing/shared/clock.js';
import { uuidGenerator } from '../../licensing/shared/id-generator.js';
import { composeSatellite, type Satellite } from '../../server/composition-root.js';
import { loadConfig } from '../../server/config.js';
import { loadOrCreatePki } from '../../server/pki/pki-file-store.js';
import { SatelliteSeeder } from '../../server/seed/satellite-seeder.js';

/**
 * The CSV export walks every instance in windows, yielding between them, while devices keep reporting. A device
 * that reports moves in the last-contact order; without one snapshot for the whole walk it would be skipped (it
 * moved to a part already walked) or exported twice. With a file database the walk reads a snapshot of its own.
 */
describe('the instance export reads one snapshot while devices report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-export-snapshot-'));
  const INSTANCES = EXPORT_WINDOW * 8;
  let satellite: Satellite;
  let accountId = '';

  beforeAll(async () => {
    const config = loadConfig({ SATELLITE_DATA_DIR: dir, SATELLITE_HOSTNAMES: 'localhost' });
    const pki = await loadOrCreatePki(config.dataDir, { hostNames: config.hostNames, now: systemClock.now(), commonName: config.name });
    satellite = await composeSatellite({
      databaseFile: config.databaseFile, pkiMaterial: pki.material, clock: systemClock, newId: uuidGenerator,
      timers: config.timers, logger: pino({ level: 'silent' }),
    });
    const seed = new SatelliteSeeder(satellite);
    seed.account('Acme');
    seed.virtualAccount('Acme', 'Lab');
    const ids = satellite.uow.read((r) => {
      const account = r.accounts.findAccountByName('Acme');
      assert.ok(account);
      return { account: account.id, vas: r.accounts.listVirtualAccounts(account.id).map((va) => va.id) };
    });
    accountId = ids.account;
    seedScaleInventory(satellite.db, { virtualAccountIds: ids.vas, instances: INSTANCES, now: systemClock.now() - 3_600_000, tags: ['t1'], prefix: 'snap' });
  });

  afterAll(() => {
    satellite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports every instance exactly once although all of them report during the export', async () => {
    const seen = new Map<string, number>();
    let touchedDuringExport = 0;
    const query = { accountId, sort: '-lastContact' as const, limit: Number.MAX_SAFE_INTEGER, offset: 0 };
    let first = true;
    for await (const chunk of satellite.instanceQueries.exportRows(query)) {
      for (const [id] of chunk) seen.set(id, (seen.get(id) ?? 0) + 1);
      if (first) {
        first = false;
        // Every device reports now, after the first window: each moves to the newest end of the order,
        // the part the newest-first walk has already passed.
        const later = systemClock.now();
        touchedDuringExport = satellite.uow.write((r) => {
          const rows = satellite.db.prepare('SELECT id FROM product_instances').all() as Array<{ id: string }>;
          for (const { id } of rows) r.instances.touch(id, later);
          return rows.length;
        });
      }
    }
    assert.equal(touchedDuringExport, INSTANCES);
    assert.equal(seen.size, INSTANCES, 'every instance exported');
    assert.deepEqual([...new Set(seen.values())], [1], 'none exported twice');
  });

  it('counts every instance once for x-total-count although all of them report during the count', async () => {
    let yields = 0;
    const service = new InstanceQueryService({
      uow: satellite.uow, clock: systemClock, yieldTurn: () => {
        yields += 1;
        // After the first window every device reports: each moves to the newest end, which the walk has passed.
        if (yields === 1) {
          const later = systemClock.now();
          satellite.uow.write((r) => {
            for (const { id } of satellite.db.prepare('SELECT id FROM product_instances').all() as Array<{ id: string }>) r.instances.touch(id, later);
          });
        }
        return Promise.resolve();
      },
    });
    // A two-character substring is too short for the trigram index, so the count walks windows of 1,000 rows.
    const count = await service.count({ accountId, search: 'na' });
    assert.ok(yields >= 2, `walked ${yields} windows`);
    assert.equal(count, INSTANCES);
  });
});
