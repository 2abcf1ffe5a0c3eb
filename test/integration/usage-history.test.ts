import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { openSqliteUpstreamStore } from '../../db/upstream/sqlite-upstream-unit-of-work.js';
import { ManualClock, MS_PER_DAY } from '../../licensing/shared/clock.js';
import { uuidGenerator } from '../../licensing/shared/id-generator.js';
import { entryFileName } from '../../protocol/sync-entries.js';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';
import { openBundle } from '../../sync/bundle/bundle-reader.js';
import { createManifestVerifier } from '../../sync/bundle/manifest-signer.js';
import { readRegistrationFile } from '../../sync/registration/registration-file-reader.js';
import { readOrdersFile } from '../../sync/upstream/orders-file-reader.js';
import { openReferenceUpstream, type ReferenceUpstream } from '../../sync/upstream/reference-upstream.js';
import { bearerFor } from '../support/admin-auth.js';
import { authorize } from '../support/instance-fixture.js';
import { registerDevice, type Device, type Fixture } from '../support/satellite-fixture.js';

const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';
const DAY1 = Date.UTC(2026, 2, 1, 12);

/** The usage history: one row per VA, tag and UTC day; the source of `peak` in sync requests (issue 12 §3.3). */
describe('usage history', () => {
  const dir = mkdtempSync(join(tmpdir(), 'usage-history-'));
  const clock = new ManualClock(DAY1);
  let app: SatelliteApp;
  let upstream: ReferenceUpstream;
  let f: Fixture;
  let device: Device;

  const usagePeaks = async (name: string): Promise<Array<[unknown, unknown]>> => {
    await app.satellite.requestExporter.exportRequestBundle({ outFile: join(dir, name) });
    const bundle = await openBundle(join(dir, name), { verifySignature: createManifestVerifier(createPublicKey(app.satellite.pki.material.signingKeyPem)) });
    await bundle.verifyAll();
    const rows: Array<[unknown, unknown]> = [];
    for await (const r of bundle.readEntry(entryFileName('usage'))) rows.push([(r as { requested: unknown }).requested, (r as { peak: unknown }).peak]);
    return rows;
  };

  beforeAll(async () => {
    app = await createSatelliteApp({ clock, timers: { tokenDefaultExpiryDays: 365 } });
    upstream = openReferenceUpstream({ dataDir: join(dir, 'upstream'), clock, newId: uuidGenerator, openStore: openSqliteUpstreamStore });
    upstream.orders.load(await readOrdersFile(new URL('../../sync/upstream/examples/orders.csv', import.meta.url).pathname));
    const issued = upstream.issueRegistration({ name: 'Site A', accounts: [{ account: 'Acme Corp' }] });
    writeFileSync(join(dir, 'registration.json'), issued.file);
    app.satellite.satelliteBinding.register(await readRegistrationFile(join(dir, 'registration.json')), { actorId: 'test' });
    app.seed.licenseLine('Acme Corp', 'Default', { tag: UCM, displayName: 'UCM Enhanced', quantity: 10 });
    f = { app, clock, token: app.seed.token('Acme Corp', 'Default', { maxUses: 10 }) };
    device = await registerDevice(f);
  });
  afterAll(() => {
    upstream.close();
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps per day the peak in use, the purchased quantity and the lowest balance, and answers ranges', async () => {
    await authorize(f, device, [{ tag: UCM, count: 12 }]);
    await authorize(f, device, [{ tag: UCM, count: 8 }]);
    clock.advance(MS_PER_DAY);
    await authorize(f, device, [{ tag: UCM, count: 3 }]);
    const viewer = await bearerFor(app, { role: 'viewer' });
    const path = `/backend/api/v1/accounts/Acme%20Corp/virtual-accounts/Default/licenses/${encodeURIComponent(UCM)}/usage`;
    const res = await request(app).get(`${path}?from=2026-03-01&to=2026-03-02T23:00:00Z`).set('authorization', viewer);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.days, [
      { day: '2026-03-01', peakInUse: 12, purchased: 10, balance: -2 },
      { day: '2026-03-02', peakInUse: 3, purchased: 10, balance: 7 },
    ]);
    const account = await request(app).get(`/backend/api/v1/accounts/Acme%20Corp/licenses/${encodeURIComponent(UCM)}/usage?from=2026-03-02`)
      .set('authorization', viewer);
    assert.deepEqual(account.body.days.map((d: { day: string }) => d.day), ['2026-03-02']);
    for (const query of ['from=yesterday', 'from=2026-03-05&to=2026-03-01', 'from=2020-01-01&to=2026-03-01', 'since=2026-03-01']) {
      const bad = await request(app).get(`${path}?${query}`).set('authorization', viewer);
      assert.equal(bad.status, 400, `${query}: ${bad.text}`);
    }
  });

  it('the sync request\'s peak is the highest in use since the last acknowledged request, not the current count', async () => {
    assert.deepEqual(await usagePeaks('request-1.zip'), [[3, 12]], 'nothing acknowledged yet: the whole history');
    // The upstream acknowledges request 1 (what an imported response does).
    app.satellite.uow.write((r) => r.satelliteBinding.saveSyncState({ ...r.satelliteBinding.findSyncState(), acknowledgedSequence: 1 }));
    clock.advance(2 * MS_PER_DAY);
    await authorize(f, device, [{ tag: UCM, count: 5 }]);
    await authorize(f, device, [{ tag: UCM, count: 4 }]);
    assert.deepEqual(await usagePeaks('request-2.zip'), [[4, 5]], 'day 1\'s 12 is before the acknowledged request');
  });

  it('the compliance sweep writes a row for every pool each day and prunes days older than two years', () => {
    clock.advance(800 * MS_PER_DAY);
    const result = app.satellite.complianceSweep.run();
    assert.equal(result.historyDaysPruned, 3);
    const days = app.satellite.db.prepare('SELECT day, peak_in_use FROM pool_usage_days').all();
    // 800 days on, the device's ID certificate lapsed, so the same sweep released its 4 seats: today's row says 0.
    assert.deepEqual(days, [{ day: Math.floor(clock.now() / MS_PER_DAY) * MS_PER_DAY, peak_in_use: 0 }]);
    assert.equal(result.registrationsExpired, 1);
  });
});
