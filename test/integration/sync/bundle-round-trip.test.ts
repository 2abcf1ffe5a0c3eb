import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MANIFEST_ENTRY, SIGNATURE_ENTRY } from '../../../protocol/sync-manifest.js';
import { openBundle } from '../../../sync/bundle/bundle-reader.js';
import { writeBundle, writeBundleToStream } from '../../../sync/bundle/bundle-writer.js';
import { listRawZip } from '../../unit/sync/support/raw-zip-builder.js';
import {
  collect, expectRejected, instanceRecords, makeTempDir, repack, sampleEntries, sampleHeader, sender, sha256, signAsSender, unzipTest, verifySender,
} from '../../unit/sync/support/bundle-test-kit.js';

describe('sync bundle round trip', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => undefined;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  it('reads back every record of three entries, one of 50,000 records, and unzip -t accepts the file', async () => {
    const outFile = join(dir, 'request.zip');
    const big = instanceRecords(50_000);
    const entries = [...sampleEntries(), { name: 'inventory.ndjson', kind: 'product-instances', records: big }];
    const manifest = await writeBundle({ header: sampleHeader(), entries, sign: signAsSender, outFile });

    assert.deepEqual(manifest.entries.map((e) => [e.name, e.records]), [
      ['product-instances.ndjson', 5], ['usage.ndjson', 3], ['events.ndjson', 0], ['inventory.ndjson', 50_000],
    ]);
    assert.equal(existsSync(`${outFile}.tmp`), false);
    assert.match(unzipTest(outFile), /No errors detected/);

    const bundle = await openBundle(outFile, { verifySignature: verifySender });
    assert.deepEqual(bundle.manifest, manifest);
    await bundle.verifyAll();
    assert.deepEqual(await collect(bundle.readEntry('inventory.ndjson')), big);
    assert.deepEqual(await collect(bundle.readEntry('product-instances.ndjson')), instanceRecords(5));
    assert.deepEqual(await collect(bundle.readEntry('usage.ndjson')), [0, 1, 2].map((i) => ({ va: 'VA-1', tag: `t${i}`, count: i })));
    assert.deepEqual(await collect(bundle.readEntry('events.ndjson')), []);
  });

  it('lists each entry with the sha256, size and record count of its exact NDJSON bytes', async () => {
    const outFile = join(dir, 'listed.zip');
    const manifest = await writeBundle({ header: sampleHeader(), entries: sampleEntries(), sign: signAsSender, outFile });
    const listing = listRawZip(await readFile(outFile));
    // Data entries first, the manifest and its signature last, both stored so the signed bytes are plain.
    assert.deepEqual(listing.map((e) => e.name), ['product-instances.ndjson', 'usage.ndjson', 'events.ndjson', MANIFEST_ENTRY, SIGNATURE_ENTRY]);
    assert.deepEqual(listing.slice(-2).map((e) => e.method), [0, 0]);
    for (const listed of manifest.entries) {
      const data = listing.find((e) => e.name === listed.name)?.data ?? Buffer.alloc(0);
      assert.equal(sha256(data), listed.sha256);
      assert.equal(data.length, listed.size);
      assert.equal(data.toString('utf8').split('\n').length - 1, listed.records);
    }
    const manifestBytes = listing.find((e) => e.name === MANIFEST_ENTRY)?.data;
    assert.deepEqual(JSON.parse(manifestBytes?.toString('utf8') ?? ''), manifest);
  });

  it('signs the stored manifest bytes so that unzip and openssl can check them', async () => {
    const outFile = join(dir, 'openssl.zip');
    await writeBundle({ header: sampleHeader(), entries: sampleEntries(), sign: signAsSender, outFile });
    const manifestFile = join(dir, 'manifest.json');
    const signatureFile = join(dir, 'manifest.sig.der');
    const publicKeyFile = join(dir, 'sender.pem');
    await writeFile(manifestFile, execFileSync('unzip', ['-p', outFile, MANIFEST_ENTRY]));
    await writeFile(signatureFile, Buffer.from(execFileSync('unzip', ['-p', outFile, SIGNATURE_ENTRY]).toString('latin1'), 'base64'));
    await writeFile(publicKeyFile, sender.publicKey.export({ type: 'spki', format: 'pem' }));
    const verdict = execFileSync('openssl', ['dgst', '-sha256', '-verify', publicKeyFile, '-signature', signatureFile, manifestFile], { encoding: 'utf8' });
    assert.match(verdict, /Verified OK/);
  });

  it('streams: with store, bytes reach the file before the last record is even produced', async () => {
    const outFile = join(dir, 'stored.zip');
    let bytesOnDiskBeforeLastRecord = -1;
    async function* records(): AsyncGenerator<object> {
      for (let i = 0; i < 50_000; i += 1) {
        if (i === 49_999) bytesOnDiskBeforeLastRecord = statSync(`${outFile}.tmp`).size;
        yield { i, padding: 'x'.repeat(80) };
      }
    }
    await writeBundle({ header: sampleHeader(), entries: [{ name: 'big.ndjson', kind: 'test', records: records() }], sign: signAsSender, outFile, compression: 'store' });
    assert.ok(bytesOnDiskBeforeLastRecord > 1_000_000, `only ${bytesOnDiskBeforeLastRecord} bytes were written before the last record`);
    assert.match(unzipTest(outFile), /No errors detected/);
    const bundle = await openBundle(outFile, { verifySignature: verifySender });
    let count = 0;
    for await (const record of bundle.readEntry('big.ndjson')) {
      assert.deepEqual(record, { i: count, padding: 'x'.repeat(80) });
      count += 1;
    }
    assert.equal(count, 50_000);
  });

  it('writes the same bundle to any Writable, e.g. an HTTP response', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({ write(chunk: Buffer, _encoding, callback) { chunks.push(chunk); callback(); } });
    const manifest = await writeBundleToStream({ header: sampleHeader(), entries: sampleEntries(), sign: signAsSender }, sink);
    const file = join(dir, 'from-stream.zip');
    await writeFile(file, Buffer.concat(chunks));
    assert.match(unzipTest(file), /No errors detected/);
    const bundle = await openBundle(file, { verifySignature: verifySender });
    assert.deepEqual(bundle.manifest, manifest);
    await bundle.verifyAll();
  });

  it('does not depend on entry order: manifest first is read the same', async () => {
    const outFile = join(dir, 'order.zip');
    await writeBundle({ header: sampleHeader(), entries: sampleEntries(), sign: signAsSender, outFile });
    const reordered = join(dir, 'reordered.zip');
    await writeFile(reordered, repack(await readFile(outFile), { manifestFirst: true }));
    assert.match(unzipTest(reordered), /No errors detected/);
    const bundle = await openBundle(reordered, { verifySignature: verifySender });
    assert.deepEqual(await collect(bundle.readEntry('product-instances.ndjson')), instanceRecords(5));
  });

  it('lets a consumer stop early, and reads the entry again afterwards', async () => {
    const outFile = join(dir, 'early.zip');
    await writeBundle({ header: sampleHeader(), entries: [{ name: 'a.ndjson', kind: 'a', records: instanceRecords(20_000) }], sign: signAsSender, outFile });
    const bundle = await openBundle(outFile, { verifySignature: verifySender });
    let seen = 0;
    for await (const record of bundle.readEntry('a.ndjson')) {
      assert.ok(record);
      seen += 1;
      if (seen === 3) break;
    }
    assert.equal(seen, 3);
    assert.equal((await collect(bundle.readEntry('a.ndjson'))).length, 20_000);
  });

  it('refuses to read an entry the manifest does not list', async () => {
    const outFile = join(dir, 'unknown.zip');
    await writeBundle({ header: sampleHeader(), entries: sampleEntries(), sign: signAsSender, outFile });
    const bundle = await openBundle(outFile, { verifySignature: verifySender });
    await expectRejected(() => collect(bundle.readEntry('licenses.ndjson')), 'MISSING_ENTRY', /"licenses\.ndjson"/);
  });
});

describe('sync bundle writer refusals', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => undefined;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  const attempt = (outFile: string, overrides: Partial<Parameters<typeof writeBundle>[0]>): Promise<unknown> =>
    writeBundle({ header: sampleHeader(), entries: sampleEntries(), sign: signAsSender, outFile: join(dir, outFile), ...overrides });

  it('leaves neither the bundle nor its .tmp when the records fail midway', async () => {
    async function* failing(): AsyncGenerator<object> {
      for (let i = 0; i < 100_000; i += 1) {
        if (i === 70_000) throw new Error('database went away');
        yield { i };
      }
    }
    await assert.rejects(attempt('failed.zip', { entries: [{ name: 'x.ndjson', kind: 'x', records: failing() }] }), /database went away/);
    assert.deepEqual(await readdir(dir), []);
  });

  it('refuses records that are not JSON objects, naming the record', async () => {
    await assert.rejects(attempt('bad-record.zip', { entries: [{ name: 'x.ndjson', kind: 'x', records: [{ a: 1 }, [1, 2]] }] }),
      /record 2 of bundle entry "x\.ndjson" is not a JSON object/);
    assert.deepEqual(await readdir(dir), []);
  });

  it('refuses an invalid header, entry names the reader would refuse, and duplicates', async () => {
    await assert.rejects(attempt('bad-header.zip', { header: sampleHeader({ expires_at: 1 }) }), /header\.expires_at/);
    await assert.rejects(attempt('bad-name.zip', { entries: [{ name: '../x.ndjson', kind: 'x', records: [] }] }), /"\.\.\/x\.ndjson" is invalid/);
    await assert.rejects(attempt('reserved.zip', { entries: [{ name: MANIFEST_ENTRY, kind: 'x', records: [] }] }), /not data entries/);
    const twice = [{ name: 'a.ndjson', kind: 'a', records: [] }, { name: 'A.ndjson', kind: 'a', records: [] }];
    await assert.rejects(attempt('twice.zip', { entries: twice }), /"A\.ndjson" appears twice/);
    await assert.rejects(attempt('unsigned.zip', { sign: () => 'not base64!' }), /base64/);
    assert.deepEqual(await readdir(dir), []);
  });
});
