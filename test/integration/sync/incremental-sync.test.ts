import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'vitest';
import type { ProductInstance } from '../../../licensing/instances/product-instance.js';
import { MS_PER_DAY } from '../../../licensing/shared/clock.js';
import { uuidGenerator } from '../../../licensing/shared/id-generator.js';
import { SYNC_FORMAT, SYNC_FORMAT_VERSION } from '../../../protocol/sync-manifest.js';
import { openBundle } from '../../../sync/bundle/bundle-reader.js';
import { writeBundle } from '../../../sync/bundle/bundle-writer.js';
import { createManifestSigner } from '../../../sync/bundle/manifest-signer.js';
import { openUpstreamExchange, type UpstreamExchange } from '../../support/upstream-exchange-kit.js';

/**
 * Incremental requests (DESIGN §5.2, docs/sync-format.md "What changed"): after the first, full, request, each one
 * carries only the instances new, changed or removed since the request the upstream says it holds complete
 * (acknowledgement `instances_sequence`), removed ones as `change: "removed"` tombstones; the upstream merges them
 * into its store of the satellite's instances; when it has lost that state, the next request is a full snapshot.
 */
const TAG = 'regid.2026-01.com.example.Incremental,1.0_5b1e0c2a-7d3f-4e6a-9b8c-000000000001';
const ORDERS = [{
  order_line_id: 'INC-1', smart_account: 'Acme Corp', virtual_account: 'Default', tag: TAG, display_name: 'Incremental seats',
  quantity: 100, license_type: 'PERPETUAL' as const, start_date: '2026-01-01',
}];

interface SentInstance { product_instance_id: string; change: string; udi_serial_number: string }

describe('incremental sync of product instances', () => {
  let x: UpstreamExchange;
  let vaId = '';
  beforeEach(async () => {
    x = await openUpstreamExchange(ORDERS, ['Acme Corp']);
    vaId = x.app.satellite.uow.read((r) => {
      const account = r.accounts.findAccountByName('Acme Corp');
      const va = account && r.accounts.findVirtualAccountByName(account.id, 'Default');
      assert.ok(va, 'the binding created Acme Corp/Default');
      return va.id;
    });
  });
  afterEach(() => x.close());

  const later = (): void => {
    x.clock.advance(60_000);
  };
  const addInstance = (serial: string): ProductInstance => {
    const now = x.clock.now();
    const instance: ProductInstance = {
      id: uuidGenerator(), virtualAccountId: vaId, udi: { pid: 'INC', serialNumber: serial, vid: 'V01', hostIdentifier: null },
      productTag: TAG, hostname: `${serial}.example.test`, ipAddress: '10.0.0.1', tokenId: null, exportControlAllowed: false,
      registrationState: 'REGISTERED', authorizationState: 'AUTHORIZED', registeredAt: now, lastContactAt: now, authorizedAt: now,
      authorizationExpiresAt: now + 90 * MS_PER_DAY, shortReportStreak: 0, currentCertificateSerial: null,
    };
    x.app.satellite.uow.write((r) => {
      r.instances.insert(instance);
      r.instances.upsertEntitlement(instance.id, { tag: TAG, requested: 1, authorized: 1, status: 'AUTHORIZED', updatedAt: now });
    });
    // A change in the very millisecond of a snapshot travels again (harmless, `>=`); the tests keep them apart.
    later();
    return instance;
  };

  /** What a request carried: its base and its instance records (read by kind, across parts). */
  const sent = async (request: string): Promise<{ base: unknown; instances: SentInstance[] }> => {
    const bundle = await openBundle(request, { verifySignature: () => true });
    await bundle.verifyAll();
    const instances: SentInstance[] = [];
    for await (const record of bundle.readKind('product-instances')) instances.push(record as SentInstance);
    let base: unknown;
    for await (const record of bundle.readKind('satellite')) base = (record as { instances_base_sequence?: unknown }).instances_base_sequence;
    return { base, instances: instances.sort((a, b) => a.udi_serial_number.localeCompare(b.udi_serial_number)) };
  };
  const held = (): Array<{ serial: string; removed: number }> => x.upstreamDb.prepare<[string], { record: string; removed: number }>(
    'SELECT record, removed FROM satellite_product_instances WHERE satellite_id = ?').all(x.satelliteId)
    .map((row) => ({ serial: (JSON.parse(row.record) as SentInstance).udi_serial_number, removed: row.removed }))
    .sort((a, b) => a.serial.localeCompare(b.serial));
  const watermarks = () => ({
    satellite: x.app.satellite.uow.read((r) => r.satelliteBinding.findSyncState().instancesSequence),
    upstream: x.upstream.sync.requireActive(x.satelliteId).instancesSequence,
  });

  it('sends everything first, then only the changes and tombstones since the request the upstream holds, which it merges', async () => {
    const instances = ['S1', 'S2', 'S3', 'S4', 'S5'].map(addInstance);
    const first = await x.sync();
    assert.equal(first.result.status, 'IMPORTED');
    const full = await sent(first.request);
    assert.equal(full.base, null, 'the first request is a full snapshot');
    assert.deepEqual(full.instances.map((i) => [i.udi_serial_number, i.change]), [['S1', 'upsert'], ['S2', 'upsert'], ['S3', 'upsert'], ['S4', 'upsert'], ['S5', 'upsert']]);
    assert.deepEqual(watermarks(), { satellite: 1, upstream: 1 });

    later();
    const [s1, s2] = instances;
    assert.ok(s1 && s2);
    x.app.satellite.uow.write((r) => {
      r.instances.touch(s1.id, x.clock.now());
      r.instances.update({ ...s2, registrationState: 'UNREGISTERED', lastContactAt: x.clock.now() });
    });
    later();
    addInstance('S6');
    const second = await x.sync();
    const delta = await sent(second.request);
    assert.equal(delta.base, 1);
    assert.deepEqual(delta.instances.map((i) => [i.udi_serial_number, i.change]), [['S1', 'upsert'], ['S2', 'removed'], ['S6', 'upsert']]);
    assert.deepEqual(held(), [
      { serial: 'S1', removed: 0 }, { serial: 'S2', removed: 1 }, { serial: 'S3', removed: 0 }, { serial: 'S4', removed: 0 },
      { serial: 'S5', removed: 0 }, { serial: 'S6', removed: 0 },
    ]);
    assert.deepEqual(watermarks(), { satellite: 2, upstream: 2 });

    later();
    const quiet = await sent((await x.sync()).request);
    assert.deepEqual([quiet.base, quiet.instances], [2, []], 'nothing changed, nothing travels');
  });

  it('sends a full snapshot again after the upstream forgets, and the upstream drops what the snapshot no longer lists', async () => {
    ['S1', 'S2', 'S3'].map(addInstance);
    await x.sync();
    later();
    addInstance('S4');
    await x.sync();
    assert.deepEqual(watermarks(), { satellite: 2, upstream: 2 });

    // The upstream is restored from a backup that holds none of this satellite's instances but one stale row.
    x.upstreamDb.prepare('UPDATE registered_satellites SET instances_sequence = NULL WHERE id = ?').run(x.satelliteId);
    x.upstreamDb.prepare('DELETE FROM satellite_product_instances WHERE satellite_id = ?').run(x.satelliteId);
    x.upstreamDb.prepare(`INSERT INTO satellite_product_instances (satellite_id, product_instance_id, account, virtual_account, removed, record,
      reported_sequence, reported_at) VALUES (?, ?, 'Acme Corp', 'Default', 0, ?, 1, 0)`)
      .run(x.satelliteId, uuidGenerator(), JSON.stringify({ udi_serial_number: 'GONE' }));

    later();
    addInstance('S5');
    const third = await x.sync();
    const delta = await sent(third.request);
    assert.equal(delta.base, 2, 'the satellite cannot know yet: it sends the changes since request 2');
    assert.deepEqual(delta.instances.map((i) => i.udi_serial_number), ['S5']);
    assert.deepEqual(watermarks(), { satellite: 0, upstream: null }, 'the upstream says it holds nothing it can vouch for');

    later();
    const fourth = await x.sync();
    const full = await sent(fourth.request);
    assert.equal(full.base, null, 'so the next request is a full snapshot');
    assert.deepEqual(full.instances.map((i) => i.udi_serial_number), ['S1', 'S2', 'S3', 'S4', 'S5']);
    assert.deepEqual(held(), [
      { serial: 'GONE', removed: 1 }, { serial: 'S1', removed: 0 }, { serial: 'S2', removed: 0 }, { serial: 'S3', removed: 0 },
      { serial: 'S4', removed: 0 }, { serial: 'S5', removed: 0 },
    ]);
    assert.deepEqual(watermarks(), { satellite: 4, upstream: 4 });
  });

  it('diffs against the acknowledged request when the upstream gives no instances_sequence (an older upstream)', async () => {
    addInstance('S1');
    await x.sync();
    // What an import of an older upstream's acknowledgement leaves: no word on instances.
    x.app.satellite.uow.write((r) => r.satelliteBinding.saveSyncState({ ...r.satelliteBinding.findSyncState(), instancesSequence: null }));
    later();
    addInstance('S2');
    const delta = await sent((await x.sync()).request);
    assert.equal(delta.base, 1);
    assert.deepEqual(delta.instances.map((i) => i.udi_serial_number), ['S2']);
  });

  it('refuses an acknowledgement whose instances_sequence is beyond the request it acknowledges: BAD_ACKNOWLEDGEMENT, nothing changes', async () => {
    addInstance('S1');
    await x.sync();
    const before = watermarks();
    const now = x.clock.now();
    const response = `${x.dir}/bad-ack.zip`;
    await writeBundle({
      header: {
        format: SYNC_FORMAT, format_version: SYNC_FORMAT_VERSION, kind: 'response', bundle_id: uuidGenerator(), satellite_id: x.satelliteId,
        upstream_id: x.upstream.identity.upstreamId, sequence: 50, in_reply_to: { bundle_id: uuidGenerator(), sequence: 1 },
        created_at: now, expires_at: now + MS_PER_DAY,
      },
      entries: [{
        name: 'acknowledgement.ndjson', kind: 'acknowledgement', records: [{
          acknowledged_sequence: 1, acknowledged_bundle_id: uuidGenerator(), product_instances_acknowledged: 1,
          credential_expires_at: now + 300 * MS_PER_DAY, instances_sequence: 2,
        }],
      }],
      sign: createManifestSigner(x.upstream.identity.privateKey), outFile: response,
    });
    await assert.rejects(x.app.satellite.responseImporter.importFile(response, 'test'), (error: unknown) => {
      const details = (error as { details?: { reason?: string } }).details;
      return details?.reason === 'BAD_ACKNOWLEDGEMENT' && /holds instances through request 2, beyond the request 1/.test(String(error));
    });
    assert.deepEqual(watermarks(), before);
  });
});
