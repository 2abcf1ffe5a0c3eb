import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { openSqliteUpstreamStore } from '../../../db/upstream/sqlite-upstream-unit-of-work.js';
import { ManualClock, MS_PER_DAY } from '../../../licensing/shared/clock.js';
import { uuidGenerator } from '../../../licensing/shared/id-generator.js';
import { entryFileName } from '../../../protocol/sync-entries.js';
import { SYNC_FORMAT, SYNC_FORMAT_VERSION } from '../../../protocol/sync-manifest.js';
import { createSatelliteApp, type SatelliteApp } from '../../../server/create-satellite-app.js';
import { openBundle } from '../../../sync/bundle/bundle-reader.js';
import { writeBundle } from '../../../sync/bundle/bundle-writer.js';
import { createManifestSigner, createManifestVerifier } from '../../../sync/bundle/manifest-signer.js';
import { readRegistrationFile } from '../../../sync/registration/registration-file-reader.js';
import { readOrdersFile } from '../../../sync/upstream/orders-file-reader.js';
import { openReferenceUpstream, type ReferenceUpstream } from '../../../sync/upstream/reference-upstream.js';
import { RequestProcessor } from '../../../sync/upstream/request-processor.js';
import { createUpstreamApp } from '../../../sync/upstream/upstream-http-app.js';
import { post, registerDevice, signedRequest, type Fixture } from '../../support/satellite-fixture.js';

const run = promisify(execFile);
const ORDERS = new URL('../../../sync/upstream/examples/orders.csv', import.meta.url).pathname;
const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';

async function records(file: string, verify: (b: Buffer, s: string) => boolean, kind: string): Promise<Array<Record<string, unknown>>> {
  const bundle = await openBundle(file, { verifySignature: verify });
  await bundle.verifyAll();
  const out: Array<Record<string, unknown>> = [];
  // By kind: product instances travel in parts (format 2), the other kinds as one entry.
  for await (const r of bundle.readKind(kind)) out.push(r as Record<string, unknown>);
  return out;
}

const refusedWith = (reason: string) => (error: unknown) => {
  const details = (error as { details?: { reason?: string } }).details;
  assert.equal(details?.reason, reason, String(error));
  return true;
};

/** Satellite exporter -> reference upstream processor, in-process, with real files and `unzip -t`. */
describe('request export and upstream processing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sync-exchange-'));
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 12));
  let app: SatelliteApp;
  let upstream: ReferenceUpstream;
  let processor: RequestProcessor;
  let f: Fixture;
  let satelliteId = '';
  const file = (name: string) => join(dir, name);
  const satelliteVerify = () => createManifestVerifier(createPublicKey(app.satellite.pki.material.signingKeyPem));
  const upstreamVerify = () => createManifestVerifier(createPublicKey(upstream.identity.publicKeyPem));

  beforeAll(async () => {
    app = await createSatelliteApp({ clock });
    upstream = openReferenceUpstream({ dataDir: file('upstream'), clock, newId: uuidGenerator, openStore: openSqliteUpstreamStore });
    upstream.orders.load(await readOrdersFile(ORDERS));
    const issued = upstream.issueRegistration({ name: 'Site A', accounts: [{ account: 'Acme Corp' }] });
    satelliteId = issued.satellite.id;
    writeFileSync(file('registration.json'), issued.file);
    app.satellite.satelliteBinding.register(await readRegistrationFile(file('registration.json')), { actorId: 'test' });
    processor = new RequestProcessor(upstream);
    // The importer (another piece) would bring the upstream's lines; a local line stands in for them here.
    app.seed.licenseLine('Acme Corp', 'Default', { tag: UCM, displayName: 'UCM Enhanced', quantity: 10 });
    f = { app, clock, token: app.seed.token('Acme Corp', 'Default', { maxUses: 100 }) };
  });
  afterAll(() => {
    upstream.close();
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports registered and removed instances, usage and events, without token secrets, and increments the sequence', async () => {
    const devices = [await registerDevice(f), await registerDevice(f), await registerDevice(f)];
    const [first, , third] = devices;
    assert.ok(first && third);
    assert.equal((await post(app, signedRequest(f, first, 'AUTHORIZE', { entitlements: [{ tag: UCM, count: 2 }] }))).message?.status, 'OK');
    assert.equal((await post(app, signedRequest(f, third, 'DEREGISTER', {}))).message?.status, 'OK');
    app.seed.virtualAccount('Acme Corp', 'Local Lab');

    const exported = await app.satellite.requestExporter.exportRequestBundle({ outFile: file('request-1.zip') });
    assert.equal(exported.manifest.sequence, 1);
    assert.equal(exported.manifest.kind, 'request');
    assert.equal(exported.manifest.in_reply_to, null);
    assert.equal(exported.manifest.expires_at - exported.manifest.created_at, 30 * MS_PER_DAY);
    await run('unzip', ['-t', file('request-1.zip')]);
    const instances = await records(file('request-1.zip'), satelliteVerify(), 'product-instances');
    assert.equal(instances.length, 3);
    assert.deepEqual(instances.filter((r) => r.change === 'removed').map((r) => r.product_instance_id), [third.instanceId]);
    const usage = await records(file('request-1.zip'), satelliteVerify(), 'usage');
    assert.deepEqual(usage.map((u) => [u.account, u.virtual_account, u.tag, u.authorized, u.peak]), [['Acme Corp', 'Default', UCM, 2, 2]]);
    const vas = await records(file('request-1.zip'), satelliteVerify(), 'virtual-accounts');
    assert.deepEqual(vas.map((v) => [v.account, v.name]), [['Acme Corp', 'Local Lab']]);
    const events = await records(file('request-1.zip'), satelliteVerify(), 'event-summary');
    assert.ok(events.length > 0);
    const [sat] = await records(file('request-1.zip'), satelliteVerify(), 'satellite');
    assert.equal(sat?.satellite_id, satelliteId);

    const unzipped = (await run('unzip', ['-p', file('request-1.zip')], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 })).stdout;
    assert.ok(unzipped.includes(Buffer.from(third.instanceId)), 'the unzipped bytes are searchable');
    assert.ok(!unzipped.includes(Buffer.from(f.token.secret)), 'the token secret never travels');
    assert.ok(!readFileSync(file('request-1.zip')).includes(Buffer.from(f.token.secret)));
    assert.equal(app.satellite.uow.read((r) => r.satelliteBinding.findSyncState()).requestSequence, 1);
  });

  it('processes the first request: pins the key, records the report and answers with a signed full line snapshot', async () => {
    clock.advance(60_000);
    const done = await processor.processRequest(file('request-1.zip'), file('response-1.zip'));
    assert.equal(done.pinnedKey, true);
    assert.equal(done.productInstances, 3);
    assert.equal(done.satellite.requestSequence, 1);
    assert.equal(done.satellite.lastSyncAt, clock.now());
    assert.equal(done.satellite.credentialExpiresAt, clock.now() + 365 * MS_PER_DAY);
    assert.match(done.satellite.satellitePublicKeyPem ?? '', /BEGIN PUBLIC KEY/);
    assert.deepEqual(upstream.sync.countInstances(satelliteId), { registered: 2, removed: 1 });
    await run('unzip', ['-t', file('response-1.zip')]);
    const response = await openBundle(file('response-1.zip'), { verifySignature: upstreamVerify() });
    assert.equal(response.manifest.kind, 'response');
    assert.deepEqual(response.manifest.in_reply_to, { bundle_id: done.request.bundle_id, sequence: 1 });
    assert.equal(response.manifest.sequence, 1);
    const lines = await records(file('response-1.zip'), upstreamVerify(), 'license-lines');
    assert.deepEqual(lines.map((l) => l.upstream_line_id).sort(), ['ORD-1001-1', 'ORD-1001-2', 'ORD-1002-1']);
    const catalog = await records(file('response-1.zip'), upstreamVerify(), 'catalog');
    assert.equal(catalog.length, 2);
    const [ack] = await records(file('response-1.zip'), upstreamVerify(), 'acknowledgement');
    assert.deepEqual(ack, {
      acknowledged_sequence: 1, acknowledged_bundle_id: done.request.bundle_id, product_instances_acknowledged: 3, instances_sequence: 1,
      credential_expires_at: clock.now() + 365 * MS_PER_DAY,
    });
    await assert.rejects(openBundle(file('response-1.zip'), { verifySignature: satelliteVerify() }), refusedWith('BAD_SIGNATURE'));
  });

  it('refuses a replay of the same request and writes no response', async () => {
    await assert.rejects(processor.processRequest(file('request-1.zip'), file('replay.zip')), refusedWith('STALE_SEQUENCE'));
    assert.throws(() => readFileSync(file('replay.zip')));
  });

  it('sends only instances changed since the last acknowledged export; unacknowledged ones travel again', async () => {
    const again = await app.satellite.requestExporter.exportRequestBundle({ outFile: file('request-2.zip') });
    assert.equal(again.manifest.sequence, 2);
    assert.equal(again.productInstances, 3, 'nothing acknowledged yet on the satellite');
    app.satellite.uow.write((r) => r.satelliteBinding.saveSyncState({ ...r.satelliteBinding.findSyncState(), acknowledgedSequence: 2 }));
    clock.advance(60_000);
    const quiet = await app.satellite.requestExporter.exportRequestBundle({ outFile: file('request-3.zip') });
    assert.equal(quiet.productInstances, 0);
    assert.equal(quiet.manifest.sequence, 3);
    clock.advance(60_000);
    await registerDevice(f);
    const one = await app.satellite.requestExporter.exportRequestBundle({ outFile: file('request-4.zip') });
    assert.equal(one.productInstances, 1);
  });

  it('refuses a request signed by another key once a key is pinned', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await forgeRequest(file('forged.zip'), satelliteId, other.privateKey, other.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    await assert.rejects(processor.processRequest(file('forged.zip'), file('forged-response.zip')), refusedWith('BAD_SIGNATURE'));
  });

  it('refuses a request from a satellite the upstream does not know', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await forgeRequest(file('stranger.zip'), uuidGenerator(), other.privateKey, other.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    await assert.rejects(processor.processRequest(file('stranger.zip'), file('stranger-response.zip')), refusedWith('UNKNOWN_SATELLITE'));
  });

  it('answers POST /upstream/v1/sync with a response zip on port 0, and refuses another media type', async () => {
    const server: Server = createServer(createUpstreamApp(upstream, pino({ level: 'silent' })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upstream/v1/sync`;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/zip' }, body: readFileSync(file('request-4.zip')) });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('content-type'), 'application/zip');
      writeFileSync(file('response-http.zip'), Buffer.from(await res.arrayBuffer()));
      await run('unzip', ['-t', file('response-http.zip')]);
      const [ack] = await records(file('response-http.zip'), upstreamVerify(), 'acknowledgement');
      assert.equal(ack?.acknowledged_sequence, 4);
      const wrongType = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
      assert.equal(wrongType.status, 415);
      const replay = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/zip' }, body: readFileSync(file('request-4.zip')) });
      assert.equal(replay.status, 400);
      assert.equal(((await replay.json()) as { error: { details: { reason: string } } }).error.details.reason, 'STALE_SEQUENCE');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a retired satellite', async () => {
    clock.advance(91 * MS_PER_DAY);
    assert.equal(upstream.registry.retireStaleSatellites(clock.now()).length, 1);
    await app.satellite.requestExporter.exportRequestBundle({ outFile: file('request-late.zip') });
    await assert.rejects(processor.processRequest(file('request-late.zip'), file('late-response.zip')), refusedWith('RETIRED_SATELLITE'));
  });

  async function forgeRequest(out: string, id: string, key: ReturnType<typeof generateKeyPairSync>['privateKey'], publicPem: string): Promise<void> {
    const now = clock.now();
    await writeBundle({
      header: {
        format: SYNC_FORMAT, format_version: SYNC_FORMAT_VERSION, kind: 'request', bundle_id: uuidGenerator(), satellite_id: id,
        upstream_id: upstream.identity.upstreamId, sequence: 99, in_reply_to: null, created_at: now, expires_at: now + MS_PER_DAY,
      },
      entries: [{ name: entryFileName('satellite'), kind: 'satellite', records: [{ satellite_id: id, name: 'Mallory', public_key_pem: publicPem }] }],
      sign: createManifestSigner(key),
      outFile: out,
    });
  }
});
