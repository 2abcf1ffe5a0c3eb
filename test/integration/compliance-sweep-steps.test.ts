import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { seedScaleInventory } from '../../db/sqlite-scale-seeder.js';
import { SCAN_CHUNK } from '../../licensing/alerts/alert-cause-repository.js';
import { AUTHORIZATION_RENEWAL_FAILED } from '../../licensing/alerts/alert-rules.js';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { labSatellite, type Fixture } from '../support/satellite-fixture.js';

/**
 * The schedule's sweep (ComplianceSweep.runInSteps) gathers its candidates in chunks that yield, then applies
 * them in one transaction: it must reach the state run() reaches, and leave alone a candidate that reported
 * between the gathering and the write.
 */
describe('compliance sweep in steps', () => {
  let f: Fixture;
  const ROWS = SCAN_CHUNK + 5_000;
  const activeRenewalAlerts = (): number => f.app.satellite.db
    .prepare('SELECT COUNT(*) FROM alerts WHERE message_type = ? AND cleared_at IS NULL').pluck().get(AUTHORIZATION_RENEWAL_FAILED) as number;

  beforeAll(async () => {
    f = await labSatellite();
    const lab = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab');
    seedScaleInventory(f.app.satellite.db, { virtualAccountIds: [lab.id], instances: ROWS, now: f.clock.now(), tags: ['t1'] });
    // 30 authorizations that lapsed an hour ago, spread over both chunks.
    f.app.satellite.db.prepare(`UPDATE product_instances SET authorization_expires_at = ? WHERE rowid % 800 = 3 AND registration_state = 'REGISTERED'`)
      .run(f.clock.now() - 3_600_000);
  });
  afterAll(() => f.app.close());

  it('gathers in chunks, yields between them, and applies what run() would', async () => {
    const lapsed = f.app.satellite.db.prepare(`SELECT COUNT(*) FROM product_instances WHERE authorization_expires_at <= ?
      AND registration_state = 'REGISTERED' AND authorization_state IN ('AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NO_LICENSES_IN_USE')`).pluck()
      .get(f.clock.now()) as number;
    const overdue = f.app.satellite.db.prepare(`SELECT COUNT(*) FROM product_instances WHERE registration_state = 'REGISTERED'
      AND authorized_at < ? AND authorization_expires_at > ?`).pluck().get(f.clock.now() - 37 * MS_PER_DAY, f.clock.now()) as number;
    assert.ok(lapsed > 20 && overdue > 50, `seeded ${lapsed} lapsed, ${overdue} overdue`);
    let turns = 0;
    const result = await f.app.satellite.complianceSweep.runInSteps(async () => {
      turns += 1;
    });
    assert.ok(turns >= 4, `two scans of two chunks each: ${turns} yields`);
    assert.equal(result.authorizationsExpired, lapsed);
    assert.equal(activeRenewalAlerts(), overdue);
    const again = f.app.satellite.complianceSweep.run();
    assert.deepEqual([again.authorizationsExpired, again.registrationsExpired, again.raised, again.cleared], [0, 0, 0, 0], 'run() finds nothing left to do');
  });

  it('skips a candidate that renewed while the candidates were gathered', async () => {
    const db = f.app.satellite.db;
    const stale = db.prepare(`SELECT id FROM product_instances WHERE registration_state = 'REGISTERED' AND authorization_state = 'AUTHORIZED'
      AND authorization_expires_at > ? ORDER BY rowid DESC LIMIT 1`).pluck().get(f.clock.now()) as string;
    db.prepare('UPDATE product_instances SET authorized_at = ?, authorization_expires_at = ? WHERE id = ?')
      .run(f.clock.now() - 40 * MS_PER_DAY, f.clock.now() - 1, stale);
    const before = activeRenewalAlerts();
    let renewed = false;
    const result = await f.app.satellite.complianceSweep.runInSteps(async () => {
      if (renewed) return;
      renewed = true;
      // The device reports between the chunks and the write: authorized now, for 90 days.
      db.prepare('UPDATE product_instances SET authorized_at = ?, authorization_expires_at = ? WHERE id = ?')
        .run(f.clock.now(), f.clock.now() + 90 * MS_PER_DAY, stale);
    });
    assert.equal(result.authorizationsExpired, 0, 'its lapse was gathered, but it no longer holds');
    assert.equal(activeRenewalAlerts(), before);
    assert.equal(db.prepare('SELECT authorization_state FROM product_instances WHERE id = ?').pluck().get(stale), 'AUTHORIZED');
  });

  it('raises no renewal alert for a candidate that renewed after it was gathered', async () => {
    const db = f.app.satellite.db;
    const now = f.clock.now();
    const [late, stays] = db.prepare(`SELECT id FROM product_instances WHERE registration_state = 'REGISTERED' AND authorization_state = 'AUTHORIZED'
      AND authorized_at > ? ORDER BY rowid LIMIT 2`).pluck().all(now - MS_PER_DAY) as string[];
    assert.ok(late && stays);
    const overdue = db.prepare('UPDATE product_instances SET authorized_at = ?, authorization_expires_at = ? WHERE id = ?');
    overdue.run(now - 40 * MS_PER_DAY, now + 50 * MS_PER_DAY, late);
    overdue.run(now - 40 * MS_PER_DAY, now + 50 * MS_PER_DAY, stays);
    // Two chunks of lapse candidates, then two of renewal candidates: the fourth yield is after both were read.
    let turns = 0;
    await f.app.satellite.complianceSweep.runInSteps(async () => {
      turns += 1;
      if (turns === 4) overdue.run(now, now + 90 * MS_PER_DAY, late);
    });
    assert.equal(turns, 4);
    const active = (id: string): number => db.prepare('SELECT COUNT(*) FROM alerts WHERE message_type = ? AND target = ? AND cleared_at IS NULL')
      .pluck().get(AUTHORIZATION_RENEWAL_FAILED, id) as number;
    assert.equal(active(late), 0, 'renewed between the gathering and the write');
    assert.equal(active(stays), 1, 'still overdue: raised');
  });
});
