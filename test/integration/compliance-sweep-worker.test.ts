import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { seedScaleInventory } from '../../db/sqlite-scale-seeder.js';
import { SCAN_CHUNK } from '../../licensing/alerts/alert-cause-repository.js';
import { AUTHORIZATION_RENEWAL_FAILED } from '../../licensing/alerts/alert-rules.js';
import { ChunkedSweepScanner } from '../../licensing/alerts/sweep-scanner.js';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { DomainError } from '../../licensing/shared/domain-error.js';
import { InlineInstanceReader } from '../../server/admin/instances/instance-reader.js';
import { InstanceReadWorker } from '../../server/admin/instances/instance-read-worker.js';
import { labSatellite, type Fixture } from '../support/satellite-fixture.js';

/**
 * At a million instances the scheduled sweep's two walks of every instance were a second or more of reads on the
 * event loop at every start and every interval, the first of them while the fleet reconnects. With the read
 * workers on they run on the export reader's thread: same candidates, same outcome, no chunk read on the loop.
 */
describe('compliance sweep walks on the reader thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-sweep-worker-'));
  const databaseFile = join(dir, 'satellite.db');
  let f: Fixture;
  const ROWS = SCAN_CHUNK + 5_000;
  const onLoop = (): ChunkedSweepScanner => new ChunkedSweepScanner(f.app.satellite.uow, () => Promise.resolve());

  beforeAll(async () => {
    f = await labSatellite({ databaseFile, readWorker: true, logger: pino({ level: 'silent' }) });
    const lab = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab');
    seedScaleInventory(f.app.satellite.db, { virtualAccountIds: [lab.id], instances: ROWS, now: f.clock.now(), tags: ['t1'] });
    f.app.satellite.db.prepare(`UPDATE product_instances SET authorization_expires_at = ? WHERE rowid % 800 = 3 AND registration_state = 'REGISTERED'`)
      .run(f.clock.now() - 3_600_000);
  });
  afterAll(() => {
    f.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds on the worker exactly the candidates the chunked walk on the loop finds', async () => {
    const scanner = f.app.satellite.instanceReads;
    assert.ok('exportReader' in scanner && scanner.exportReader instanceof InstanceReadWorker, 'a file database with readWorker gets the workers');
    const worker = scanner.exportReader;
    const now = f.clock.now();
    const lapsed = await worker.lapsedAuthorizationIds(now);
    assert.ok(lapsed.length > 20, `${lapsed.length} lapsed`);
    assert.deepEqual(lapsed, await onLoop().lapsedAuthorizationIds(now));
    const cutoff = now - 37 * MS_PER_DAY;
    const renewals = await worker.renewalCandidates(cutoff);
    assert.ok(renewals.length > 50, `${renewals.length} renewal candidates`);
    assert.deepEqual(renewals, await onLoop().renewalCandidates(cutoff));
  });

  it('runs the scheduled sweep with no chunk read on the event loop, to the state run() reaches', async () => {
    const db = f.app.satellite.db;
    const now = f.clock.now();
    const lapsed = db.prepare(`SELECT COUNT(*) FROM product_instances WHERE authorization_expires_at <= ?
      AND registration_state = 'REGISTERED' AND authorization_state IN ('AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NO_LICENSES_IN_USE')`).pluck().get(now) as number;
    const overdue = db.prepare(`SELECT COUNT(*) FROM product_instances WHERE registration_state = 'REGISTERED'
      AND authorized_at < ? AND authorization_expires_at > ?`).pluck().get(now - 37 * MS_PER_DAY, now) as number;
    assert.ok(lapsed > 20 && overdue > 50, `seeded ${lapsed} lapsed, ${overdue} overdue`);
    let turnsOnLoop = 0;
    const result = await f.app.satellite.complianceSweep.runInSteps(async () => {
      turnsOnLoop += 1;
    });
    assert.equal(turnsOnLoop, 0, 'the walks ran on the reader thread, not in chunks on the loop');
    assert.equal(result.authorizationsExpired, lapsed);
    assert.equal(db.prepare('SELECT COUNT(*) FROM alerts WHERE message_type = ? AND cleared_at IS NULL').pluck().get(AUTHORIZATION_RENEWAL_FAILED), overdue);
    const again = f.app.satellite.complianceSweep.run();
    assert.deepEqual([again.authorizationsExpired, again.registrationsExpired, again.raised, again.cleared], [0, 0, 0, 0], 'run() finds nothing left to do');
  });

  it('walks on the loop when the worker cannot start, and says UNAVAILABLE when it has nowhere to walk', async () => {
    const entry = { url: new URL('../support/no-such-read-thread.ts', import.meta.url), exportName: 'serve' };
    const options = { databaseFile, clock: f.clock, logger: pino({ level: 'silent' }), fallback: new InlineInstanceReader(f.app.satellite.instanceQueries), entry };
    const withFallback = new InstanceReadWorker({ ...options, scanFallback: onLoop() });
    const without = new InstanceReadWorker(options);
    try {
      const now = f.clock.now() + 200 * MS_PER_DAY;
      const expected = await onLoop().lapsedAuthorizationIds(now);
      assert.ok(expected.length > 0);
      assert.deepEqual(await withFallback.lapsedAuthorizationIds(now), expected);
      await assert.rejects(without.renewalCandidates(now), (error: unknown) => error instanceof DomainError && error.code === 'UNAVAILABLE');
    } finally {
      await withFallback.close();
      await without.close();
    }
  });
});
