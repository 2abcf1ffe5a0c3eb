import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MANIFEST_ENTRY, SIGNATURE_ENTRY } from '../../../protocol/sync-manifest.js';
import { openBundle } from '../../../sync/bundle/bundle-reader.js';
import { BundleRejectedError } from '../../../sync/bundle/bundle-rejected-error.js';
import { writeBundle } from '../../../sync/bundle/bundle-writer.js';
import { createManifestVerifier } from '../../../sync/bundle/manifest-signer.js';
import { buildRawZip, listRawZip } from '../../unit/sync/support/raw-zip-builder.js';
import {
  collect, expectRejected, instanceRecords, makeTempDir, ndjson, repack, sampleEntries, sampleHeader, sha256, signAsSender,
  spyVerifier, stranger, verifySender,
} from '../../unit/sync/support/bundle-test-kit.js';

/**
 * The tamper matrix of DESIGN §5.3: signatures, checksums, sizes and the entry list. Data entries are
 * written STORED here so that a flipped byte changes exactly one byte of the content; in a deflated entry
 * the same flip may instead break the deflate stream (CORRUPT_ARCHIVE), which the last case pins down.
 */
describe('sync bundle tamper matrix', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => undefined;
  let stored: Buffer = Buffer.alloc(0);
  let deflated: Buffer = Buffer.alloc(0);
  let small: Buffer = Buffer.alloc(0);
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    const write = async (name: string, compression: 'store' | 'deflate'): Promise<Buffer> => {
      const outFile = join(dir, name);
      const entries = [...sampleEntries(), { name: 'inventory.ndjson', kind: 'product-instances', records: instanceRecords(300) }];
      await writeBundle({ header: sampleHeader(), entries, sign: signAsSender, outFile, compression });
      return readFile(outFile);
    };
    stored = await write('stored.zip', 'store');
    deflated = await write('deflated.zip', 'deflate');
    await writeBundle({ header: sampleHeader(), entries: sampleEntries(), sign: signAsSender, outFile: join(dir, 'small.zip') });
    small = await readFile(join(dir, 'small.zip'));
  });
  afterAll(() => cleanup());

  let fixtures = 0;
  const fixture = async (zip: Buffer): Promise<string> => {
    fixtures += 1;
    const file = join(dir, `fixture-${fixtures}.zip`);
    await writeFile(file, zip);
    return file;
  };
  const open = async (zip: Buffer, verifySignature = verifySender): Promise<Awaited<ReturnType<typeof openBundle>>> =>
    openBundle(await fixture(zip), { verifySignature });
  const flip = (zip: Buffer, entryName: string, at: (size: number) => number): Buffer => {
    const entry = listRawZip(zip).find((e) => e.name === entryName);
    assert.ok(entry, entryName);
    const copy = Buffer.from(zip);
    const offset = entry.dataOffset + at(entry.compressedSize);
    copy[offset] = (copy[offset] ?? 0) ^ 0x01;
    return copy;
  };
  const middle = (size: number): number => Math.floor(size / 2);

  it('accepts the untouched fixtures', async () => {
    await (await open(stored)).verifyAll();
    await (await open(deflated)).verifyAll();
  });

  it('one flipped byte in manifest.json: BAD_SIGNATURE', async () => {
    await expectRejected(() => open(flip(stored, MANIFEST_ENTRY, middle)), 'BAD_SIGNATURE', /manifest\.sig does not verify over manifest\.json/);
  });

  it('one flipped byte in manifest.sig: BAD_SIGNATURE', async () => {
    for (const at of [0, 10, 40]) {
      await expectRejected(() => open(flip(stored, SIGNATURE_ENTRY, () => at)), 'BAD_SIGNATURE', /manifest\.sig/);
    }
  });

  it('one flipped byte in a data entry: CHECKSUM_MISMATCH, on read, naming the entry', async () => {
    const bundle = await open(flip(stored, 'inventory.ndjson', middle));
    await expectRejected(() => bundle.verifyAll(), 'CHECKSUM_MISMATCH', /entry "inventory\.ndjson" has sha256 [0-9a-f]{64}, not the [0-9a-f]{64} listed/);
  });

  it('a damaged last record is never yielded: the checks run before it', async () => {
    const entry = listRawZip(stored).find((e) => e.name === 'inventory.ndjson');
    assert.ok(entry);
    // Inside the last record's hostname string, so the line still parses and only the checksum can tell.
    const lastSwitch = entry.data.lastIndexOf('switch-');
    const bundle = await open(flip(stored, 'inventory.ndjson', () => lastSwitch));
    const yielded: unknown[] = [];
    await expectRejected(async () => {
      for await (const record of bundle.readEntry('inventory.ndjson')) yielded.push(record);
    }, 'CHECKSUM_MISMATCH', /"inventory\.ndjson"/);
    assert.deepEqual(yielded, instanceRecords(299));
  });

  it('a flipped byte in deflated data is refused too (CORRUPT_ARCHIVE or CHECKSUM_MISMATCH by where it lands)', async () => {
    for (const at of [1, 100, 400]) {
      const bundle = await open(flip(deflated, 'inventory.ndjson', () => at));
      const error = await bundle.verifyAll().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof BundleRejectedError, `flip at ${at} was not refused`);
      assert.ok(['CORRUPT_ARCHIVE', 'CHECKSUM_MISMATCH', 'SIZE_MISMATCH', 'TOO_LARGE'].includes(error.reason), error.message);
      assert.match(error.message, /"inventory\.ndjson"/);
    }
  });

  it('signed by another key: BAD_SIGNATURE; the verifier throwing: BAD_SIGNATURE with its message', async () => {
    await expectRejected(() => open(repack(stored, { signer: stranger.privateKey })), 'BAD_SIGNATURE', /another key/);
    await expectRejected(() => open(stored, createManifestVerifier(stranger.publicKey)), 'BAD_SIGNATURE', /another key/);
    await expectRejected(() => open(stored, () => { throw new Error('key store offline'); }), 'BAD_SIGNATURE', /key store offline/);
  });

  it('a truncated zip: CORRUPT_ARCHIVE, wherever it is cut', async () => {
    await expectRejected(() => open(stored.subarray(0, middle(stored.length))), 'CORRUPT_ARCHIVE', /not a well-formed zip archive/);
    for (let cut = 0; cut < small.length; cut += 1) {
      const error = await open(small.subarray(0, cut)).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof BundleRejectedError && error.reason === 'CORRUPT_ARCHIVE', `cut at ${cut}: ${String(error)}`);
    }
  });

  it('a file that is not a zip, or over the compressed cap', async () => {
    await expectRejected(() => open(Buffer.from('{"format":"satellite-sync"}\n'.repeat(4))), 'CORRUPT_ARCHIVE', /not a zip archive/);
    await expectRejected(() => open(Buffer.concat([Buffer.from('#!/bin/sh\n'), stored])), 'CORRUPT_ARCHIVE', /not a zip archive/);
    await expectRejected(() => open(Buffer.concat([stored, Buffer.from('trailing')])), 'CORRUPT_ARCHIVE', /end record/);
    const file = await fixture(stored);
    await expectRejected(() => openBundle(file, { verifySignature: verifySender, caps: { maxCompressedBytes: 1024 } }),
      'TOO_LARGE', new RegExp(`is ${stored.length} bytes, over the 1024 byte cap`));
  });

  it('a missing entry: MISSING_ENTRY, whether data or manifest.sig', async () => {
    const withoutUsage = repack(stored, { entries: (entries) => entries.filter((e) => e.name !== 'usage.ndjson') });
    await expectRejected(() => open(withoutUsage), 'MISSING_ENTRY', /"usage\.ndjson" is listed in manifest\.json but not in the archive/);
    const withoutSignature = listRawZip(stored).filter((e) => e.name !== SIGNATURE_ENTRY).map((e) => ({ name: e.name, data: e.data }));
    const spy = spyVerifier();
    await expectRejected(() => open(buildRawZip(withoutSignature), spy.verify), 'MISSING_ENTRY', /no manifest\.sig/);
    assert.equal(spy.calls(), 0);
  });

  it('an extra entry not in the manifest: UNLISTED_ENTRY', async () => {
    const extra = repack(stored, { entries: (entries) => [...entries, { name: 'licenses.ndjson', data: ndjson([{ tag: 'x', quantity: 1e6 }]) }] });
    await expectRejected(() => open(extra), 'UNLISTED_ENTRY', /"licenses\.ndjson" is in the archive but not in manifest\.json/);
  });

  it('a manifest entry with the wrong size: SIZE_MISMATCH before anything is decompressed', async () => {
    const wrong = repack(stored, { manifest: (m) => { const e = m.entries[0]; if (e) e.size += 1; } });
    await expectRejected(() => open(wrong), 'SIZE_MISMATCH', /"product-instances\.ndjson" is listed with \d+ bytes but the archive declares \d+/);
  });

  it('sizes that agree with each other but not with the data: SIZE_MISMATCH (short) or TOO_LARGE (long), on read', async () => {
    const lie = (delta: number): Buffer => repack(stored, {
      manifest: (m) => { const e = m.entries[0]; if (e) e.size += delta; },
      // Deflated: a stored entry whose two sizes differ is refused as CORRUPT_ARCHIVE at open already.
      entries: (entries) => entries.map((e, i) => (i === 0 ? { ...e, method: 8, declaredSize: e.data.length + delta } : e)),
    });
    await expectRejected(async () => (await open(lie(10))).verifyAll(), 'SIZE_MISMATCH', /holds \d+ bytes, not the \d+ listed/);
    await expectRejected(async () => (await open(lie(-10))).verifyAll(), 'TOO_LARGE', /inflates past its declared \d+ bytes/);
  });

  it('a signed manifest with the wrong sha256 or record count, or a bad record with the right sha256', async () => {
    const badHash = repack(stored, { manifest: (m) => { const e = m.entries[1]; if (e) e.sha256 = sha256(Buffer.from('other')); } });
    await expectRejected(async () => (await open(badHash)).verifyAll(), 'CHECKSUM_MISMATCH', /"usage\.ndjson"/);
    const badCount = repack(stored, { manifest: (m) => { const e = m.entries[1]; if (e) e.records = 4; } });
    await expectRejected(async () => (await open(badCount)).verifyAll(), 'RECORD_COUNT_MISMATCH', /"usage\.ndjson" holds 3 records, not the 4/);
    const lines = Buffer.from('{"a":1}\n{"a":2}\n{"a":\n');
    const badRecord = repack(stored, {
      manifest: (m) => { const e = m.entries[1]; if (e) Object.assign(e, { size: lines.length, sha256: sha256(lines) }); },
      entries: (entries) => entries.map((e) => (e.name === 'usage.ndjson' ? { ...e, data: lines } : e)),
    });
    const bundle = await open(badRecord);
    await expectRejected(() => collect(bundle.readEntry('usage.ndjson')), 'BAD_RECORD', /"usage\.ndjson" line 3 is not JSON/);
  });

  it('a signed manifest that is not a valid manifest: BAD_MANIFEST naming the field', async () => {
    const badKind = repack(stored, { manifest: (m) => Object.assign(m, { kind: 'ultimatum' }) });
    await expectRejected(() => open(badKind), 'BAD_MANIFEST', /manifest\.json is invalid: kind/);
    const traversal = repack(stored, { manifest: (m) => { const e = m.entries[0]; if (e) e.name = '../product-instances.ndjson'; } });
    await expectRejected(() => open(traversal), 'BAD_MANIFEST', /entries\.0\.name/);
  });
});
