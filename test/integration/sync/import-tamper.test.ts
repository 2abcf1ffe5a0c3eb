import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MANIFEST_ENTRY, SIGNATURE_ENTRY } from '../../../protocol/sync-manifest.js';
import { importRefusalReason } from '../../../sync/import/response-importer.js';
import {
  assertOnlyRefusalRecorded, bindTestUpstream, dumpDatabase, upstreamLine, writeResponse, type TestUpstream,
} from '../../support/response-bundle-kit.js';
import { labSatellite, type Fixture } from '../../support/satellite-fixture.js';
import { repack } from '../../unit/sync/support/bundle-test-kit.js';
import { buildRawZip, listRawZip, SYMLINK_ATTRIBUTES, type RawZipEntry } from '../../unit/sync/support/raw-zip-builder.js';

const DAY = 86_400_000;
const MiB = 1024 * 1024;

/**
 * The tamper matrix through the one import path (ResponseImporter.importFile), not the bundle reader alone:
 * every hostile bundle is refused with its stable reason code and a message naming the cause, and a full
 * dump of the satellite database (every row of every table) is identical before and after, but for the one
 * REFUSED history row (reason, SHA-256 of the file, actor) and the one event the refusal writes.
 */
describe('response import refuses every tampered bundle and changes nothing', () => {
  let f: Fixture;
  let upstream: TestUpstream;
  /** A valid, signed response at sequence 4; each case breaks a copy of it. */
  let base: Buffer;
  let baseFile = '';
  let cases = 0;

  beforeAll(async () => {
    f = await labSatellite();
    upstream = await bindTestUpstream(f.app);
    // A first import, so there is an accepted sequence (3) and upstream rows the refusals must not touch.
    const first = await writeResponse(f.app, upstream, { sequence: 3, lines: [upstreamLine('L1', { quantity: 5 })] });
    assert.equal((await f.app.satellite.responseImporter.importFile(first)).status, 'IMPORTED');
    baseFile = await writeResponse(f.app, upstream, {
      sequence: 4, lines: [upstreamLine('L1', { quantity: 9, revision: 2 }), upstreamLine('L2', { quantity: 2 })],
      catalog: [{ tag: 'regid.test.TAG_U', display_name: 'Upstream U', description: 'from the catalog', substitution_ladder: [] }],
      notices: [{ severity: 'Informational', message: 'Maintenance on Sunday' }],
    });
    base = await readFile(baseFile);
  });
  afterAll(() => upstream.cleanup());

  const fixture = async (zip: Buffer): Promise<string> => {
    cases += 1;
    const file = join(upstream.dir, `tampered-${cases}.zip`);
    await writeFile(file, zip);
    return file;
  };
  /** Re-signed with the upstream's own key: only the edit is wrong, never the signature. */
  const resigned = (edits: Parameters<typeof repack>[1]): Buffer => repack(base, { signer: upstream.privateKey, ...edits });

  /** Imports the file, expects a refusal with this reason and message, and compares full dumps. */
  const refused = async (zip: Buffer | string, reason: string, message: RegExp): Promise<void> => {
    const file = typeof zip === 'string' ? zip : await fixture(zip);
    const before = dumpDatabase(f.app);
    let caught: unknown = null;
    try {
      await f.app.satellite.responseImporter.importFile(file, 'test');
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof Error, `expected a ${reason} refusal, the bundle was imported`);
    assert.equal(importRefusalReason(caught), reason, caught.message);
    assert.match(caught.message, message);
    const { row, event } = assertOnlyRefusalRecorded(f.app, before, `the ${reason} refusal`);
    assert.deepEqual([row.result, row.reason, row.actor_id, row.file_sha256, row.lines_added],
      ['REFUSED', reason, 'test', createHash('sha256').update(await readFile(file)).digest('hex'), 0]);
    assert.equal(row.message, caught.message);
    // Only a bundle whose manifest verified has a bundle id worth keeping.
    if (reason === 'BAD_SIGNATURE' || reason === 'CORRUPT_ARCHIVE') assert.equal(row.bundle_id, null);
    const security = reason !== 'EXPIRED';
    assert.deepEqual([event.type, event.actor_id, event.details.severity, event.details.category, event.details.reason, event.details.fileSha256],
      [security ? 'SYNC_BUNDLE_TAMPERED' : 'SYNC_IMPORT_REFUSED', 'test', security ? 'Major' : 'Minor', security ? 'security' : 'sync', reason,
        row.file_sha256]);
  };

  it('one flipped byte inside each entry, manifest and signature included', async () => {
    const listing = listRawZip(base);
    assert.deepEqual(listing.map((e) => e.name).sort(),
      ['acknowledgement.ndjson', 'catalog.ndjson', 'license-lines.ndjson', MANIFEST_ENTRY, SIGNATURE_ENTRY, 'notices.ndjson'].sort());
    for (const entry of listing) {
      assert.equal(entry.method, 0, 'stored, so the flipped byte is a content byte');
      assert.ok(entry.compressedSize > 2, `${entry.name} is not empty`);
      const corrupted = Buffer.from(base);
      const at = entry.dataOffset + Math.floor(entry.compressedSize / 2);
      // A digit or letter turned into another printable one keeps JSON and base64 plausible.
      corrupted[at] = (corrupted[at] ?? 0) ^ 0x01;
      if (entry.name === MANIFEST_ENTRY || entry.name === SIGNATURE_ENTRY) {
        await refused(corrupted, 'BAD_SIGNATURE', /manifest\.sig (does not verify over manifest\.json|is not a base64 signature)/);
      } else {
        await refused(corrupted, 'CHECKSUM_MISMATCH', new RegExp(entry.name.replace('.', '\\.')));
      }
    }
  });

  it('a wrong signer', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await refused(repack(base, { signer: stranger }), 'BAD_SIGNATURE', /another key/);
  });

  it('a truncated zip', async () => {
    await refused(base.subarray(0, Math.floor(base.length / 2)), 'CORRUPT_ARCHIVE', /not a well-formed zip archive/);
    await refused(base.subarray(0, base.length - 10), 'CORRUPT_ARCHIVE', /not a well-formed zip archive/);
  });

  it('an entry the manifest lists is missing', async () => {
    await refused(resigned({ entries: (data) => data.filter((e) => e.name !== 'license-lines.ndjson') }), 'MISSING_ENTRY', /license-lines\.ndjson/);
  });

  it('an extra entry the manifest does not list', async () => {
    await refused(resigned({ entries: (data) => [...data, { name: 'extra.ndjson', data: Buffer.from('{"quantity":1000}\n') }] }),
      'UNLISTED_ENTRY', /extra\.ndjson/);
  });

  it('duplicate entry names, exact or differing in case', async () => {
    const evil = (name: string) => (data: RawZipEntry[]) => [...data, { name, data: Buffer.from('{"quantity":1000}\n') }];
    await refused(resigned({ entries: evil('license-lines.ndjson') }), 'DUPLICATE_ENTRY', /"license-lines\.ndjson" appears more than once/);
    await refused(resigned({ entries: evil('LICENSE-LINES.ndjson') }), 'DUPLICATE_ENTRY', /appears more than once/);
  });

  it('entry names with ../ and absolute paths', async () => {
    const named = (name: string) => resigned({ entries: (data) => [...data, { name, data: Buffer.from('{}\n') }] });
    await refused(named('../license-lines.ndjson'), 'UNSAFE_ENTRY_NAME', /path traversal/);
    await refused(named('../../etc/cron.d/x'), 'UNSAFE_ENTRY_NAME', /path traversal/);
    await refused(named('/etc/passwd'), 'UNSAFE_ENTRY_NAME', /"\/etc\/passwd" is an absolute path/);
    // The same, with the manifest listing the hostile name (it is signed, so only the name rule stops it).
    const listed = resigned({
      manifest: (m) => { for (const e of m.entries) if (e.name === 'notices.ndjson') e.name = '../notices.ndjson'; },
      entries: (data) => data.map((e) => (e.name === 'notices.ndjson' ? { ...e, name: '../notices.ndjson' } : e)),
    });
    await refused(listed, 'UNSAFE_ENTRY_NAME', /path traversal/);
  });

  it('a symlink entry', async () => {
    await refused(resigned({ entries: (data) => [...data, { name: 'link.ndjson', data: Buffer.from('/etc/shadow'), externalAttributes: SYMLINK_ATTRIBUTES }] }),
      'LINK_ENTRY', /"link\.ndjson" is a symbolic link/);
    await refused(resigned({ entries: (data) => data.map((e) => (e.name === 'license-lines.ndjson' ? { ...e, externalAttributes: SYMLINK_ATTRIBUTES } : e)) }),
      'LINK_ENTRY', /"license-lines\.ndjson" is a symbolic link/);
  });

  it('a zip bomb, honest or lying about its size', async () => {
    const zeros = Buffer.alloc(10 * MiB);
    const honest = resigned({ entries: (data) => [...data, { name: 'bomb.ndjson', data: zeros, method: 8 }] });
    assert.ok(honest.length < 64 * 1024, `the bomb is ${honest.length} bytes`);
    await refused(honest, 'TOO_LARGE', /zip bomb/);
    const lying = resigned({
      manifest: (m) => m.entries.push({ name: 'bomb.ndjson', kind: 'notices', sha256: '0'.repeat(64), size: 1000, records: 1 }),
      entries: (data) => [...data, { name: 'bomb.ndjson', data: zeros, method: 8, declaredSize: 1000 }],
    });
    await refused(lying, 'TOO_LARGE', /"bomb\.ndjson" inflates past its declared 1000 bytes \(zip bomb\)/);
  });

  it('a bundle for another satellite', async () => {
    await refused(await writeResponse(f.app, upstream, { sequence: 4, lines: [], satelliteId: '0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b' }),
      'WRONG_SATELLITE', /satellite 0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b/);
  });

  it('an expired bundle', async () => {
    const now = f.clock.now();
    await refused(resigned({ manifest: (m) => { m.created_at = now - 40 * DAY; m.expires_at = now - DAY; } }), 'EXPIRED', /expired at/);
    // Expiry is exclusive: a bundle is dead at the very millisecond of expires_at.
    await refused(resigned({ manifest: (m) => { m.created_at = now - 30 * DAY; m.expires_at = now; } }), 'EXPIRED', /expired at/);
  });

  it('an old sequence (replay of an earlier number under a new bundle id)', async () => {
    await refused(await writeResponse(f.app, upstream, { sequence: 2, lines: [] }), 'STALE_SEQUENCE', /sequence 2, not above the last accepted 3/);
    await refused(await writeResponse(f.app, upstream, { sequence: 3, lines: [] }), 'STALE_SEQUENCE', /sequence 3, not above the last accepted 3/);
  });

  it('a raw archive with no manifest at all', async () => {
    const bare = buildRawZip(listRawZip(base).filter((e) => e.name !== MANIFEST_ENTRY).map((e) => ({ name: e.name, data: e.data })));
    await refused(bare, 'MISSING_ENTRY', /manifest\.json/);
  });

  it('after all of that, the untampered bundle still imports: the refusals were about the edits', async () => {
    const result = await f.app.satellite.responseImporter.importFile(baseFile, 'test');
    assert.equal(result.status, 'IMPORTED');
    const history = f.app.satellite.responseImporter.history(1000);
    assert.equal(history.filter((h) => h.result === 'REFUSED').length, cases + 3, 'every refusal is in the history');
    assert.deepEqual(history.filter((h) => h.result === 'IMPORTED').map((h) => h.sequence), [4, 3]);
    const lines = f.app.satellite.uow.read((r) => r.upstreamSync.listUpstreamLines()).map((l) => [l.upstreamLineId, l.quantity]).sort();
    assert.deepEqual(lines, [['L1', 9], ['L2', 2]]);
  });
});
