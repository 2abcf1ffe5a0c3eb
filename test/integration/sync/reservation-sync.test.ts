import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DeviceReservation, MemoryAgentStateStore } from '../../../agent/index.js';
import { openSqliteUpstreamStore } from '../../../db/upstream/sqlite-upstream-unit-of-work.js';
import { ManualClock } from '../../../licensing/shared/clock.js';
import { uuidGenerator } from '../../../licensing/shared/id-generator.js';
import { entryFileName } from '../../../protocol/sync-entries.js';
import { createSatelliteApp, type SatelliteApp } from '../../../server/create-satellite-app.js';
import { openBundle } from '../../../sync/bundle/bundle-reader.js';
import { createManifestVerifier } from '../../../sync/bundle/manifest-signer.js';
import { readRegistrationFile } from '../../../sync/registration/registration-file-reader.js';
import { readOrdersFile } from '../../../sync/upstream/orders-file-reader.js';
import { openReferenceUpstream, type ReferenceUpstream } from '../../../sync/upstream/reference-upstream.js';
import { RequestProcessor } from '../../../sync/upstream/request-processor.js';

const ORDERS = new URL('../../../sync/upstream/examples/orders.csv', import.meta.url).pathname;
const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';

/** Reservations in the request bundle (docs/sync-format.md) and in the reference upstream's books. */
describe('reservations travel upstream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reservation-sync-'));
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 12));
  let app: SatelliteApp;
  let upstream: ReferenceUpstream;
  let satelliteId = '';
  const file = (name: string) => join(dir, name);

  const reserve = async (account: string, va: string, serial: string, quantity: number) => {
    const device = new DeviceReservation(new MemoryAgentStateStore());
    const code = await device.request({ pid: 'C9300-24UX', serial }, { productTag: 'regid.c9300' });
    const virtualAccount = app.satellite.inventory.findVirtualAccount(account, va);
    const [issued] = app.satellite.reservations.create(virtualAccount, [{ reservationCode: code, reservationType: 'SPECIFIC', licenses: [{ tag: UCM, quantity }] }], 'test');
    assert.ok(issued);
    return { virtualAccount, id: issued.productInstanceId };
  };
  const exchange = async (n: number) => {
    await app.satellite.requestExporter.exportRequestBundle({ outFile: file(`request-${n}.zip`) });
    await new RequestProcessor(upstream).processRequest(file(`request-${n}.zip`), file(`response-${n}.zip`));
    const satellite = upstream.registry.find(satelliteId);
    return upstream.sync.reservedAgainstLines(satellite, clock.now());
  };

  beforeAll(async () => {
    app = await createSatelliteApp({ clock });
    upstream = openReferenceUpstream({ dataDir: file('upstream'), clock, newId: uuidGenerator, openStore: openSqliteUpstreamStore });
    upstream.orders.load(await readOrdersFile(ORDERS));
    const issued = upstream.issueRegistration({ name: 'Site A', accounts: [{ account: 'Acme Corp' }] });
    satelliteId = issued.satellite.id;
    writeFileSync(file('registration.json'), issued.file);
    app.satellite.satelliteBinding.register(await readRegistrationFile(file('registration.json')), { actorId: 'test' });
    // The importer would bring the upstream's lines; local lines stand in for them here, and an unbound account.
    app.seed.licenseLine('Acme Corp', 'Default', { tag: UCM, displayName: 'UCM Enhanced', quantity: 100 });
    app.seed.account('Private');
    app.seed.virtualAccount('Private', 'Own');
    app.seed.licenseLine('Private', 'Own', { tag: UCM, displayName: 'UCM Enhanced', quantity: 5 });
    for (const name of ['Acme Corp', 'Private']) app.satellite.reservations.setEnabled(app.satellite.inventory.findAccount(name).id, true, 'test');
  });
  afterAll(() => {
    upstream.close();
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends every reservation of a bound account made while disconnected at the next export; the upstream counts it against its lines', async () => {
    const { id } = await reserve('Acme Corp', 'Default', 'FCW2600SYN1', 7);
    await reserve('Private', 'Own', 'FCW2600PRV1', 2);
    await app.satellite.requestExporter.exportRequestBundle({ outFile: file('peek.zip') });
    const bundle = await openBundle(file('peek.zip'), { verifySignature: createManifestVerifier(createPublicKey(app.satellite.pki.material.signingKeyPem)) });
    await bundle.verifyAll();
    const records: Array<Record<string, unknown>> = [];
    for await (const r of bundle.readEntry(entryFileName('reservations'))) records.push(r as Record<string, unknown>);
    // The unbound account's reservation stays here; the RESERVED instance is not reported as a device.
    assert.deepEqual(records.map((r) => [r.product_instance_id, r.account, r.virtual_account, r.status, r.licenses]),
      [[id, 'Acme Corp', 'Default', 'RESERVED', [{ tag: UCM, reserved: 7 }]]]);
    const instances: Array<Record<string, unknown>> = [];
    for await (const r of bundle.readKind('product-instances')) instances.push(r as Record<string, unknown>);
    assert.deepEqual(instances, []);

    assert.deepEqual(await exchange(1), [{ account: 'Acme Corp', virtualAccount: 'Default', tag: UCM, reserved: 7, purchased: 100, available: 93 }]);
  });

  it('drops a returned reservation from the upstream\'s books at the next exchange', async () => {
    const virtualAccount = app.satellite.inventory.findVirtualAccount('Acme Corp', 'Default');
    for (const r of app.satellite.reservations.list(virtualAccount)) app.satellite.reservations.remove(virtualAccount, r.instanceId, 'test');
    assert.deepEqual(await exchange(2), []);
  });
});
