import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { INSUFFICIENT_LICENSES } from '../../../licensing/alerts/alert-rules.js';
import { BundleRejectedError } from '../../../sync/bundle/bundle-rejected-error.js';
import { ImportRefusedError, importRefusalReason } from '../../../sync/import/response-importer.js';
import {
  assertOnlyRefusalRecorded, bindTestUpstream, dumpDatabase, upstreamLine, writeResponse, type TestUpstream,
} from '../../support/response-bundle-kit.js';
import { labSatellite, post, registerDevice, signedRequest, type Fixture } from '../../support/satellite-fixture.js';

const TAG_U = 'regid.test.TAG_U';

describe('response import (DESIGN §5.3): one verified path, one transaction', () => {
  let f: Fixture;
  let upstream: TestUpstream;
  let vaId = '';
  beforeAll(async () => {
    f = await labSatellite();
    upstream = await bindTestUpstream(f.app);
    vaId = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab').id;
  });
  afterAll(() => upstream.cleanup());

  const importer = () => f.app.satellite.responseImporter;
  const purchased = (tag = TAG_U) => f.app.satellite.uow.read((r) => r.licenses.purchasedQuantity(vaId, tag, f.clock.now()));
  const upstreamRows = () => f.app.satellite.uow.read((r) => r.upstreamSync.listUpstreamLines());
  const refusal = async (promise: Promise<unknown>): Promise<string | null> => {
    try {
      await promise;
    } catch (error) {
      return importRefusalReason(error);
    }
    return 'NOT_REFUSED';
  };

  let firstBundle = '';
  it('adds the snapshot lines: the pool grows, the acknowledgement and credential expiry are stored', async () => {
    firstBundle = await writeResponse(f.app, upstream, {
      sequence: 1, lines: [upstreamLine('L1', { quantity: 5 }), upstreamLine('L2', { quantity: 3 })],
      notices: [{ severity: 'Informational', message: 'Maintenance on Sunday' }],
    });
    const result = await importer().importFile(firstBundle, 'test');
    assert.equal(result.status, 'IMPORTED');
    assert.equal(result.status === 'IMPORTED' ? result.summary.linesAdded : -1, 2);
    assert.equal(purchased(), 8);
    const state = f.app.satellite.uow.read((r) => r.satelliteBinding.findSyncState());
    assert.equal(state.upstreamSequence, 1);
    assert.equal(state.acknowledgedSequence, 5);
    const binding = f.app.satellite.uow.read((r) => r.satelliteBinding.findBinding());
    assert.equal(binding?.credentialExpiresAt, f.clock.now() + 400 * 86_400_000);
    const notices = f.app.satellite.uow.read((r) => r.alertCauses.activeAlertsOfTypes(['UPSTREAM_NOTICE']));
    assert.equal(notices.length, 1);
    assert.equal(notices[0]?.severity, 'Informational');
  });

  it('reimporting the same bundle is a no-op that says so', async () => {
    const before = dumpDatabase(f.app);
    const result = await importer().importFile(firstBundle);
    assert.equal(result.status, 'ALREADY_IMPORTED');
    assert.deepEqual(dumpDatabase(f.app), before);
  });

  it('an older or equal sequence with another bundle id is refused as a replay', async () => {
    const stale = await writeResponse(f.app, upstream, { sequence: 1, lines: [] });
    await assert.rejects(importer().importFile(stale), (e: unknown) => e instanceof ImportRefusedError && e.reason === 'STALE_SEQUENCE');
  });

  it('a changed quantity updates the row in place (same id)', async () => {
    const idBefore = upstreamRows().find((l) => l.upstreamLineId === 'L1')?.id;
    const file = await writeResponse(f.app, upstream, {
      sequence: 2, lines: [upstreamLine('L1', { quantity: 7, revision: 2 }), upstreamLine('L2', { quantity: 3 })],
    });
    const result = await importer().importFile(file);
    assert.equal(result.status === 'IMPORTED' ? result.summary.linesUpdated : -1, 1);
    const l1 = upstreamRows().find((l) => l.upstreamLineId === 'L1');
    assert.equal(l1?.id, idBefore);
    assert.equal(l1?.quantity, 7);
    assert.equal(purchased(), 10);
  });

  it('a wrong signer is refused and nothing changes', async () => {
    const before = dumpDatabase(f.app);
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const file = await writeResponse(f.app, upstream, { sequence: 3, lines: [], signer: stranger });
    await assert.rejects(importer().importFile(file), (e: unknown) => e instanceof BundleRejectedError && e.reason === 'BAD_SIGNATURE');
    const { row, event } = assertOnlyRefusalRecorded(f.app, before, 'BAD_SIGNATURE');
    assert.deepEqual([row.result, row.reason, row.actor_id, event.type, event.details.severity], ['REFUSED', 'BAD_SIGNATURE', 'system', 'SYNC_BUNDLE_TAMPERED', 'Major']);
  });

  it('a bundle for another satellite is refused', async () => {
    const file = await writeResponse(f.app, upstream, { sequence: 3, lines: [], satelliteId: '0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b' });
    assert.equal(await refusal(importer().importFile(file)), 'WRONG_SATELLITE');
  });

  it('a schema violation in the last record applies nothing', async () => {
    const before = dumpDatabase(f.app);
    const file = await writeResponse(f.app, upstream, {
      sequence: 3, lines: [upstreamLine('L1', { quantity: 1, revision: 3 }), upstreamLine('L9'), { ...upstreamLine('L10'), quantity: -4 }],
    });
    await assert.rejects(importer().importFile(file), (e: unknown) =>
      e instanceof BundleRejectedError && e.reason === 'BAD_RECORD' && /license-lines\.ndjson line 3/.test(e.message));
    const { row, event } = assertOnlyRefusalRecorded(f.app, before, 'BAD_RECORD');
    assert.deepEqual([row.reason, row.sequence, event.type, event.details.severity], ['BAD_RECORD', 3, 'SYNC_IMPORT_REFUSED', 'Minor']);
  });

  it('a line removed upstream stops counting; the next AUTHORIZE is OUT_OF_COMPLIANCE and the pool alert is active', async () => {
    const device = await registerDevice(f);
    const ok = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_U, count: 6 }] }));
    assert.equal(ok.message?.body.authorization?.status, 'AUTHORIZED', ok.text);

    const file = await writeResponse(f.app, upstream, { sequence: 4, lines: [upstreamLine('L2', { quantity: 3 })] });
    const result = await importer().importFile(file);
    assert.equal(result.status === 'IMPORTED' ? result.summary.linesEnded : -1, 1);
    const l1 = upstreamRows().find((l) => l.upstreamLineId === 'L1');
    assert.equal(l1?.endsAt, f.clock.now(), 'the row stays, ended now');
    assert.equal(purchased(), 3);
    const alerts = f.app.satellite.uow.read((r) => r.alertCauses.activeAlertsOfTypes([INSUFFICIENT_LICENSES]));
    assert.ok(alerts.some((a) => a.virtualAccountId === vaId), 'the short pool raised an alert at import');

    f.clock.advance(60_000);
    const short = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_U, count: 6 }] }));
    assert.equal(short.message?.body.authorization?.status, 'OUT_OF_COMPLIANCE', short.text);
  });

  it('a VA the snapshot names but the satellite lacks is created with origin upstream', async () => {
    const file = await writeResponse(f.app, upstream, {
      sequence: 5, lines: [upstreamLine('L2', { quantity: 3 }), upstreamLine('L20', { virtual_account: 'Branch', quantity: 4 })],
    });
    const result = await importer().importFile(file);
    assert.equal(result.status === 'IMPORTED' ? result.summary.virtualAccountsCreated : -1, 1);
    const branch = f.app.satellite.inventory.findVirtualAccount('Acme', 'Branch');
    assert.equal(branch.origin, 'upstream');
  });

  it('an account the registration does not map is refused, nothing applied', async () => {
    const before = dumpDatabase(f.app);
    const file = await writeResponse(f.app, upstream, { sequence: 6, lines: [upstreamLine('L30', { account: 'Other' })] });
    assert.equal(await refusal(importer().importFile(file)), 'UNMAPPED_ACCOUNT');
    assert.equal(assertOnlyRefusalRecorded(f.app, before, 'UNMAPPED_ACCOUNT').row.reason, 'UNMAPPED_ACCOUNT');
  });

  it('the catalog renames no line; its ladder reaches only the upstream lines of bound VAs, for lines that bring none', async () => {
    f.app.seed.licenseLine('Acme', 'Lab', { tag: TAG_U, displayName: 'Local U', description: 'bought locally', quantity: 1 });
    const file = await writeResponse(f.app, upstream, {
      sequence: 7, lines: [upstreamLine('L2', { quantity: 3 }), upstreamLine('L20', { virtual_account: 'Branch', quantity: 4 })],
      catalog: [{ tag: TAG_U, display_name: 'Upstream U (renamed)', description: 'from the catalog', substitution_ladder: ['regid.test.TAG_A'] }],
    });
    const result = await importer().importFile(file);
    assert.equal(result.status === 'IMPORTED' ? result.summary.linesUpdated : -1, 0, 'a ladder from the catalog is not a changed line');
    const lines = f.app.satellite.uow.read((r) => r.licenses.listLinesForTag(vaId, TAG_U)).filter((l) => l.endsAt === null);
    assert.deepEqual(lines.map((l) => [l.origin, l.displayName, l.description, l.substitutionLadder]).sort(), [
      ['local', 'Local U', 'bought locally', []],
      ['upstream', 'Upstream U', '', ['regid.test.TAG_A']],
    ]);
  });

  it('lists the import history newest first', () => {
    const history = importer().history();
    assert.deepEqual(history.filter((h) => h.result === 'IMPORTED').map((h) => h.sequence), [7, 5, 4, 2, 1]);
    // Refusals are in it too, newest first: the unmapped account, the schema violation, another satellite's bundle, the wrong signer, the replay.
    assert.deepEqual(history.filter((h) => h.result === 'REFUSED').map((h) => (h.result === 'REFUSED' ? h.reason : '')),
      ['UNMAPPED_ACCOUNT', 'BAD_RECORD', 'WRONG_SATELLITE', 'BAD_SIGNATURE', 'STALE_SEQUENCE']);
  });

  it('upserts the upstream\'s catalog entries into the satellite-wide catalog, replacing local ones (DESIGN §8.2)', async () => {
    const TAG_H = 'regid.test.TAG_H';
    f.app.satellite.catalog.set(TAG_U, { displayName: 'Local name', substitutionLevel: 9 }, 'test');
    const file = await writeResponse(f.app, upstream, {
      sequence: 8, lines: [upstreamLine('L2', { quantity: 3 })],
      catalog: [
        { tag: TAG_U, display_name: 'Upstream U', description: '', substitution_ladder: [] },
        { tag: TAG_H, display_name: 'Upstream H', description: 'higher tier', substitution_ladder: [TAG_U], substitution_level: 3 },
      ],
    });
    await importer().importFile(file);
    const entries = f.app.satellite.catalog.list().map((e) => [e.tag, e.displayName, e.substitutionLevel, e.substitutes, e.origin]);
    assert.deepEqual(entries, [[TAG_H, 'Upstream H', 3, [TAG_U], 'upstream'], [TAG_U, 'Upstream U', null, [], 'upstream']]);
    assert.deepEqual(f.app.satellite.uow.read((r) => r.catalog.ladders()).lendersOf(TAG_U), [TAG_H]);
  });
});
