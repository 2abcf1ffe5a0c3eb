import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { openBundle } from '../../../sync/bundle/bundle-reader.js';
import { createManifestVerifier } from '../../../sync/bundle/manifest-signer.js';
import { post, registerDevice, signedRequest, type Device, type Fixture } from '../../support/satellite-fixture.js';
import { openUpstreamExchange, type UpstreamExchange } from '../../support/upstream-exchange-kit.js';

const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';
const TENANT_TAG = 'regid.2020-01.com.example.TenantOnly,1.0_0c0c0c0c-0c0c-4c0c-8c0c-0c0c0c0c0c0c';

/**
 * A multi-tenant satellite (DESIGN §5.2 amended): two local accounts, only Acme Corp bound to the upstream. The
 * request bundle carries Acme Corp's instances, usage, local VAs and event counts, and nothing of Other Tenant
 * in any entry, read record by record from the zip's NDJSON.
 */
describe('the request bundle carries only the accounts the registration binds', () => {
  let x: UpstreamExchange;
  let bound: Device[] = [];
  let tenant: Device[] = [];
  beforeAll(async () => {
    x = await openUpstreamExchange([{
      order_line_id: 'ORD-1', smart_account: 'Acme Corp', virtual_account: 'Default', tag: UCM, display_name: 'UCM Enhanced', quantity: 100,
      license_type: 'PERPETUAL', start_date: '2026-01-01',
    }], ['Acme Corp']);
    const { app, clock } = x;
    app.seed.licenseLine('Acme Corp', 'Default', { tag: UCM, displayName: 'UCM Enhanced', quantity: 10 });
    app.seed.virtualAccount('Acme Corp', 'Acme Local');
    app.seed.account('Other Tenant');
    app.seed.virtualAccount('Other Tenant', 'Tenant Main');
    app.seed.virtualAccount('Other Tenant', 'Tenant Lab');
    app.seed.licenseLine('Other Tenant', 'Tenant Main', { tag: TENANT_TAG, displayName: 'Tenant seats', quantity: 10 });
    const acme: Fixture = { app, clock, token: app.seed.token('Acme Corp', 'Default', { maxUses: 10 }) };
    const other: Fixture = { app, clock, token: app.seed.token('Other Tenant', 'Tenant Main', { maxUses: 10 }) };
    bound = [await registerDevice(acme), await registerDevice(acme)];
    tenant = [await registerDevice(other), await registerDevice(other), await registerDevice(other)];
    for (const device of bound) await post(app, signedRequest(acme, device, 'AUTHORIZE', { entitlements: [{ tag: UCM, count: 1 }] }));
    for (const device of tenant) await post(app, signedRequest(other, device, 'AUTHORIZE', { entitlements: [{ tag: TENANT_TAG, count: 2 }] }));
  });
  afterAll(() => x.close());

  it('lists only the bound account in every entry, and nothing of the other tenant anywhere', async () => {
    const file = join(x.dir, 'tenancy-request.zip');
    await x.app.satellite.requestExporter.exportRequestBundle({ outFile: file });
    const bundle = await openBundle(file, { verifySignature: createManifestVerifier(createPublicKey(x.app.satellite.pki.material.signingKeyPem)) });
    await bundle.verifyAll();
    const entries = new Map<string, Array<Record<string, unknown>>>();
    for (const entry of bundle.manifest.entries) {
      const records: Array<Record<string, unknown>> = [];
      for await (const record of bundle.readEntry(entry.name)) records.push(record as Record<string, unknown>);
      entries.set(entry.kind, records);
    }
    assert.deepEqual([...entries.keys()].sort(), ['event-summary', 'product-instances', 'reservations', 'satellite', 'usage', 'virtual-accounts']);

    const instances = entries.get('product-instances') ?? [];
    assert.deepEqual(instances.map((r) => r.product_instance_id).sort(), bound.map((d) => d.instanceId).sort());
    assert.deepEqual(new Set(instances.map((r) => r.account)), new Set(['Acme Corp']));
    assert.deepEqual((entries.get('usage') ?? []).map((r) => [r.account, r.virtual_account, r.tag, r.authorized]), [['Acme Corp', 'Default', UCM, 2]]);
    assert.deepEqual((entries.get('virtual-accounts') ?? []).map((r) => [r.account, r.name]), [['Acme Corp', 'Acme Local']]);
    const summary = new Map((entries.get('event-summary') ?? []).map((r) => [r.type, r.count]));
    assert.equal(summary.get('PRODUCT_INSTANCE_REGISTERED'), bound.length, 'the other tenant\'s registrations are not counted');
    assert.equal(summary.get('VIRTUAL_ACCOUNT_CREATED') ?? 0, x.app.satellite.db.prepare(
      "SELECT COUNT(*) AS n FROM events e JOIN accounts a ON a.id = e.account_id WHERE e.type = 'VIRTUAL_ACCOUNT_CREATED' AND a.name = 'Acme Corp'",
    ).pluck().get());

    const everything = JSON.stringify([...entries.values()]);
    const tenantAccountId = x.app.satellite.inventory.findVirtualAccount('Other Tenant', 'Tenant Main').accountId;
    for (const secret of ['Other Tenant', 'Tenant Main', 'Tenant Lab', 'Tenant seats', TENANT_TAG, tenantAccountId,
      ...tenant.flatMap((d) => [d.instanceId, d.udi.udi_serial_number])]) {
      assert.ok(!everything.includes(secret), `${secret} of the unbound account travelled`);
    }
  });
});
