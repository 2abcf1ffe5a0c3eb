import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { partFileName, type ManifestEntry, type SyncManifest } from '../../../protocol/sync-manifest.js';
import { openBundle } from '../../../sync/bundle/bundle-reader.js';
import { BundleRejectedError } from '../../../sync/bundle/bundle-rejected-error.js';
import { writeBundle, type BundleEntrySource } from '../../../sync/bundle/bundle-writer.js';
import type { BundleCaps } from '../../../sync/bundle/bundle-caps.js';
import {
  collect, expectRejected, instanceRecords, makeTempDir, repack, sampleHeader, sha256, signAsSender, unzipTest, verifySender,
} from '../../unit/sync/support/bundle-test-kit.js';

/**
 * Format 2 (docs/sync-format.md, "Parts"): a kind that grows with the inventory travels in bounded parts, each listed
 * with its sha256, size and record count, each checked on read. Small part sizes and caps are injected here; the
 * 64 MiB default is what `npm run bench:sync -- --instances 1000000` exercises.
 */
const PART_BYTES = 4096;
const RECORDS = 200;

function entries(): BundleEntrySource[] {
  return [
    { name: 'satellite.ndjson', kind: 'satellite', records: [{ satellite_id: 'x' }] },
    { name: 'product-instances.ndjson', kind: 'product-instances', records: instanceRecords(RECORDS), parts: true },
    { name: 'usage.ndjson', kind: 'usage', records: [{ tag: 't', count: 1 }] },
  ];
}

const partsOf = (manifest: SyncManifest): ManifestEntry[] => manifest.entries.filter((e) => e.kind === 'product-instances');

describe('sync bundle parts', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => undefined;
  let zip: Buffer = Buffer.alloc(0);
  let manifest: SyncManifest | undefined;
  let fixtures = 0;
  const fixture = async (bytes: Buffer): Promise<string> => {
    fixtures += 1;
    const file = join(dir, `fixture-${fixtures}.zip`);
    await writeFile(file, bytes);
    return file;
  };
  const openFixture = async (bytes: Buffer, caps: Partial<BundleCaps> = {}) => openBundle(await fixture(bytes), { verifySignature: verifySender, caps });
  const readAll = async (bytes: Buffer, caps: Partial<BundleCaps> = {}): Promise<unknown[]> => {
    const bundle = await openFixture(bytes, caps);
    await bundle.verifyAll();
    return collect(bundle.readKind('product-instances'));
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    const outFile = join(dir, 'parts.zip');
    manifest = await writeBundle({ header: sampleHeader(), entries: entries(), sign: signAsSender, outFile, compression: 'store', partBytes: PART_BYTES });
    zip = await readFile(outFile);
  });
  afterAll(() => cleanup());

  it('splits a kind into parts below the part size and round-trips every record in order', async () => {
    assert.ok(manifest);
    const parts = partsOf(manifest);
    assert.ok(parts.length >= 5, `${parts.length} parts`);
    parts.forEach((part, i) => {
      assert.equal(part.part, i + 1);
      assert.equal(part.name, partFileName('product-instances', i + 1));
      assert.ok(part.size <= PART_BYTES, `${part.name} is ${part.size} bytes`);
      assert.ok(part.records > 0);
    });
    assert.equal(parts.reduce((sum, p) => sum + p.records, 0), RECORDS);
    assert.equal(manifest.format_version, 2);
    // The other kinds stay whole entries.
    assert.deepEqual(manifest.entries.filter((e) => e.kind !== 'product-instances').map((e) => [e.name, e.part]), [
      ['satellite.ndjson', undefined], ['usage.ndjson', undefined],
    ]);
    assert.deepEqual(await readAll(zip), instanceRecords(RECORDS));
    assert.match(unzipTest(join(dir, 'parts.zip')), /No errors detected/);
  });

  it('writes one empty part when there is nothing to send, and reads it as no records', async () => {
    const outFile = join(dir, 'empty-parts.zip');
    const written = await writeBundle({
      header: sampleHeader(), sign: signAsSender, outFile,
      entries: [{ name: 'product-instances.ndjson', kind: 'product-instances', records: [], parts: true }],
    });
    assert.deepEqual(written.entries.map((e) => [e.name, e.part, e.size, e.records]), [['product-instances-0001.ndjson', 1, 0, 0]]);
    const bundle = await openBundle(outFile, { verifySignature: verifySender });
    await bundle.verifyAll();
    assert.deepEqual(await collect(bundle.readKind('product-instances')), []);
  });

  it('refuses a missing part: MISSING_ENTRY naming it', async () => {
    const missing = repack(zip, { entries: (all) => all.filter((e) => e.name !== partFileName('product-instances', 2)) });
    await expectRejected(() => openFixture(missing), 'MISSING_ENTRY', /"product-instances-0002\.ndjson" is listed in manifest\.json but not in the archive/);
  });

  it('refuses a part dropped from both the archive and the manifest (re-signed): the numbering has a gap, BAD_MANIFEST', async () => {
    const dropped = repack(zip, {
      manifest: (m) => { m.entries = m.entries.filter((e) => e.name !== partFileName('product-instances', 2)); },
      entries: (all) => all.filter((e) => e.name !== partFileName('product-instances', 2)),
    });
    await expectRejected(() => openFixture(dropped), 'BAD_MANIFEST', /part 3 of product-instances is listed where part 2 belongs/);
  });

  it('refuses an extra part in the archive: UNLISTED_ENTRY', async () => {
    const extra = repack(zip, { entries: (all) => [...all, { name: partFileName('product-instances', 99), data: Buffer.from('{"a":1}\n') }] });
    await expectRejected(() => openFixture(extra), 'UNLISTED_ENTRY', /"product-instances-0099\.ndjson" is in the archive but not in manifest\.json/);
  });

  it('refuses parts listed out of order (re-signed): BAD_MANIFEST', async () => {
    const reordered = repack(zip, {
      manifest: (m) => {
        const [first, second] = [m.entries.findIndex((e) => e.part === 1), m.entries.findIndex((e) => e.part === 2)];
        const a = m.entries[first];
        const b = m.entries[second];
        assert.ok(a && b);
        m.entries[first] = b;
        m.entries[second] = a;
      },
    });
    await expectRejected(() => openFixture(reordered), 'BAD_MANIFEST', /part 2 of product-instances is listed where part 1 belongs/);
  });

  it('refuses a part renamed to another number (re-signed): BAD_MANIFEST', async () => {
    const renamed = repack(zip, {
      manifest: (m) => {
        const part = m.entries.find((e) => e.part === 1);
        assert.ok(part);
        part.name = 'product-instances-9999.ndjson';
      },
      entries: (all) => all.map((e) => (e.name === partFileName('product-instances', 1) ? { ...e, name: 'product-instances-9999.ndjson' } : e)),
    });
    await expectRejected(() => openFixture(renamed), 'BAD_MANIFEST', /part 1 of product-instances is named "product-instances-9999\.ndjson"/);
  });

  it('refuses two parts whose contents were swapped in the archive: the listed size or sha256 no longer matches', async () => {
    const one = partFileName('product-instances', 1);
    const two = partFileName('product-instances', 2);
    const swapped = repack(zip, {
      entries: (all) => {
        const a = all.find((e) => e.name === one);
        const b = all.find((e) => e.name === two);
        assert.ok(a && b);
        return all.map((e) => (e.name === one ? { ...e, data: b.data } : e.name === two ? { ...e, data: a.data } : e));
      },
    });
    // Parts differ in size, so the listed size gives it away at open; equal sizes would fail the sha256 on read.
    const refusal = await (async () => {
      const bundle = await openFixture(swapped);
      await bundle.verifyAll();
    })().then(() => undefined, (error: unknown) => error);
    assert.ok(refusal instanceof BundleRejectedError, String(refusal));
    assert.ok(['SIZE_MISMATCH', 'CHECKSUM_MISMATCH'].includes(refusal.reason), refusal.message);
    assert.match(refusal.message, /product-instances-000[12]\.ndjson/);
  });

  it('refuses an altered part: CHECKSUM_MISMATCH naming that part', async () => {
    const name = partFileName('product-instances', 3);
    const altered = repack(zip, {
      entries: (all) => all.map((e) => {
        if (e.name !== name) return e;
        const data = Buffer.from(e.data);
        const at = data.indexOf('switch-');
        data[at] = 'S'.charCodeAt(0);
        return { ...e, data };
      }),
    });
    const bundle = await openFixture(altered);
    await expectRejected(() => bundle.verifyAll(), 'CHECKSUM_MISMATCH', /"product-instances-0003\.ndjson" has sha256/);
  });

  it('refuses a part whose declared record count disagrees (re-signed): RECORD_COUNT_MISMATCH', async () => {
    const miscounted = repack(zip, {
      manifest: (m) => {
        const part = m.entries.find((e) => e.part === 2);
        assert.ok(part);
        part.records += 1;
      },
    });
    const bundle = await openFixture(miscounted);
    await expectRejected(() => bundle.verifyAll(), 'RECORD_COUNT_MISMATCH', /"product-instances-0002\.ndjson" holds \d+ records, not the \d+ listed/);
  });

  it('refuses a part over the reader\'s entry cap, before the signature: TOO_LARGE', async () => {
    await expectRejected(() => openFixture(zip, { maxEntryBytes: 1024 }), 'TOO_LARGE', /"product-instances-0001\.ndjson" declares \d+ bytes, over the 1024 byte cap/);
  });

  it('refuses a part that is a ratio bomb, and all parts together over the total cap: TOO_LARGE', async () => {
    const bombPart = partFileName('product-instances', 1);
    const zeros = Buffer.alloc(8 * 1024 * 1024, 0x20);
    const bomb = repack(zip, {
      manifest: (m) => {
        const part = m.entries.find((e) => e.part === 1);
        assert.ok(part);
        part.size = zeros.length;
      },
      entries: (all) => all.map((e) => (e.name === bombPart ? { name: bombPart, data: zeros, method: 8 as const } : e)),
    });
    await expectRejected(() => openFixture(bomb), 'TOO_LARGE', /"product-instances-0001\.ndjson" would inflate \d+:1, over the 500:1 cap \(zip bomb\)/);
    await expectRejected(() => openFixture(zip, { maxTotalBytes: 10_000 }), 'TOO_LARGE', /more than 10000 bytes in total/);
  });

  it('refuses parts in a format 1 manifest, and a format version it does not read: BAD_MANIFEST naming the field', async () => {
    const v1 = repack(zip, { manifest: (m) => { m.format_version = 1; } });
    await expectRejected(() => openFixture(v1), 'BAD_MANIFEST', /is a part, but format_version 1 has no parts/);
    const v3 = repack(zip, { manifest: (m) => { m.format_version = 3; } });
    await expectRejected(() => openFixture(v3), 'BAD_MANIFEST', /format_version must be one of 1, 2/);
  });

  it('still reads a format 1 bundle (one entry per kind): readKind reads it the same way', async () => {
    const outFile = join(dir, 'whole.zip');
    await writeBundle({
      header: { ...sampleHeader(), format_version: 1 }, sign: signAsSender, outFile,
      entries: [{ name: 'product-instances.ndjson', kind: 'product-instances', records: instanceRecords(10) }],
    });
    const bundle = await openBundle(outFile, { verifySignature: verifySender });
    assert.equal(bundle.manifest.format_version, 1);
    await bundle.verifyAll();
    assert.deepEqual(await collect(bundle.readKind('product-instances')), instanceRecords(10));
  });

  it('verifyIntegrity checks sizes, sha256, line lengths and counts of every part without parsing; verifyAll parses too', async () => {
    const name = partFileName('product-instances', 2);
    const withLine = (line: string): Buffer => repack(zip, {
      manifest: (m) => {
        const part = m.entries.find((e) => e.name === name);
        assert.ok(part);
        const data = Buffer.from(`${line}\n`);
        Object.assign(part, { size: data.length, sha256: sha256(data), records: 1 });
      },
      entries: (all) => all.map((e) => (e.name === name ? { ...e, data: Buffer.from(`${line}\n`) } : e)),
    });
    // Signed and hashed, but not JSON: only parsing finds it (the upstream parses every record as it stores it).
    const notJson = await openFixture(withLine('not json'));
    await notJson.verifyIntegrity();
    await expectRejected(() => notJson.verifyAll(), 'BAD_RECORD', /"product-instances-0002\.ndjson" line 1 is not JSON/);
    const blank = await openFixture(withLine(''));
    await expectRejected(() => blank.verifyIntegrity(), 'BAD_RECORD', /"product-instances-0002\.ndjson" line 1 is empty/);
    const long = await openFixture(withLine(`{"a":"${'x'.repeat(3000)}"}`), { maxRecordBytes: 1024 });
    await expectRejected(() => long.verifyIntegrity(), 'BAD_RECORD', /line 1 is longer than 1024 bytes/);
    const altered = repack(zip, {
      entries: (all) => all.map((e) => (e.name === name ? { ...e, data: Buffer.from(e.data.toString('utf8').replace('switch-', 'Switch-')) } : e)),
    });
    await expectRejected(async () => (await openFixture(altered)).verifyIntegrity(), 'CHECKSUM_MISMATCH', /"product-instances-0002\.ndjson" has sha256/);
    const miscounted = repack(zip, {
      manifest: (m) => {
        const part = m.entries.find((e) => e.name === name);
        assert.ok(part);
        part.records -= 1;
      },
    });
    await expectRejected(async () => (await openFixture(miscounted)).verifyIntegrity(), 'RECORD_COUNT_MISMATCH', /"product-instances-0002\.ndjson" holds more than/);
    await (await openFixture(zip)).verifyIntegrity();
  });

  describe('the writer never writes what its reader refuses', () => {
    const write = async (name: string, options: { caps?: Partial<BundleCaps>; partBytes?: number; parts?: boolean }): Promise<string> => {
      const outFile = join(dir, name);
      await writeBundle({
        header: sampleHeader(), sign: signAsSender, outFile, ...(options.caps ? { caps: options.caps } : {}),
        ...(options.partBytes ? { partBytes: options.partBytes } : {}),
        entries: [{ name: 'product-instances.ndjson', kind: 'product-instances', records: instanceRecords(RECORDS), parts: options.parts ?? true }],
      });
      return outFile;
    };

    it('splits at the reader\'s entry cap when that is below the part size', async () => {
      const file = await write('split-at-cap.zip', { caps: { maxEntryBytes: 2048 } });
      const bundle = await openBundle(file, { verifySignature: verifySender, caps: { maxEntryBytes: 2048 } });
      const parts = partsOf(bundle.manifest);
      assert.ok(parts.length > 5 && parts.every((p) => p.size <= 2048), JSON.stringify(parts.map((p) => p.size)));
      await bundle.verifyAll();
      assert.equal((await collect(bundle.readKind('product-instances'))).length, RECORDS);
    });

    it('fails, leaving no file, rather than exceed the entry count, the entry cap, the total or the archive cap', async () => {
      const cases: Array<[string, Parameters<typeof write>[1], RegExp]> = [
        ['entries.zip', { caps: { maxEntries: 3 }, partBytes: 2048 }, /more than 3 data entries/],
        ['whole-over-cap.zip', { caps: { maxEntryBytes: 2048 }, parts: false }, /would exceed 2048 bytes \(the reader's entry cap\)/],
        ['total.zip', { caps: { maxTotalBytes: 10_000 }, partBytes: 4096 }, /would exceed 10000 bytes in total/],
        ['archive.zip', { caps: { maxCompressedBytes: 4096 }, partBytes: 4096 }, /over the reader's 4096 byte archive cap/],
      ];
      for (const [name, options, message] of cases) {
        await assert.rejects(write(name, options), (error: unknown) => error instanceof Error && message.test(error.message), name);
        assert.equal(existsSync(join(dir, name)), false, name);
        assert.equal(existsSync(join(dir, `${name}.tmp`)), false, name);
      }
    });

    it('fails rather than write an entry over the reader\'s ratio cap (checked on the finished file)', async () => {
      const outFile = join(dir, 'ratio.zip');
      const dull = Array.from({ length: 20_000 }, () => ({ a: 'same line, again and again, compressing very well' }));
      await assert.rejects(writeBundle({
        header: sampleHeader(), sign: signAsSender, outFile, caps: { maxCompressionRatio: 20 },
        entries: [{ name: 'product-instances.ndjson', kind: 'product-instances', records: dull, parts: true }],
      }), (error: unknown) => error instanceof Error && /over the 20:1 cap \(zip bomb\)/.test(error.message));
      assert.equal(existsSync(outFile), false);
    });
  });
});
