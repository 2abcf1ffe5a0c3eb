import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ZipArchive } from 'archiver';
import { MANIFEST_ENTRY, SIGNATURE_ENTRY } from '../../../protocol/sync-manifest.js';
import { openBundle } from '../../../sync/bundle/bundle-reader.js';
import { BundleRejectedError } from '../../../sync/bundle/bundle-rejected-error.js';
import type { BundleCaps } from '../../../sync/bundle/bundle-caps.js';
import { writeBundle } from '../../../sync/bundle/bundle-writer.js';
import {
  DIRECTORY_ATTRIBUTES, SYMLINK_ATTRIBUTES, buildRawZip, listRawZip, type RawZipEntry,
} from '../../unit/sync/support/raw-zip-builder.js';
import {
  collect, expectRejected, makeTempDir, ndjson, repack, sampleEntries, sampleHeader, signAsSender, spyVerifier, stranger,
} from '../../unit/sync/support/bundle-test-kit.js';

const MiB = 1024 * 1024;

/**
 * Archives built to attack the reader: traversal names, links, duplicates, bombs. Every one of these is
 * refused from the central directory alone, before the signature is even checked (the spy verifier is
 * never called), except the bombs whose headers lie, which are stopped while inflating.
 */
describe('sync bundle reader against hostile archives', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => undefined;
  let bundle: Buffer = Buffer.alloc(0);
  let entries: RawZipEntry[] = [];
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    await writeBundle({ header: sampleHeader(), entries: sampleEntries(), sign: signAsSender, outFile: join(dir, 'good.zip'), compression: 'store' });
    bundle = await readFile(join(dir, 'good.zip'));
    entries = listRawZip(bundle).map((e) => ({ name: e.name, data: e.data }));
  });
  afterAll(() => cleanup());

  let fixtures = 0;
  const fixture = async (zip: Buffer): Promise<string> => {
    fixtures += 1;
    const file = join(dir, `hostile-${fixtures}.zip`);
    await writeFile(file, zip);
    return file;
  };
  /** Opens the archive and asserts that the refusal came before the signature check. */
  const refusedBeforeSignature = async (zip: Buffer | string, reason: Parameters<typeof expectRejected>[1], message: RegExp, caps?: Partial<BundleCaps>): Promise<void> => {
    const file = typeof zip === 'string' ? zip : await fixture(zip);
    const spy = spyVerifier();
    await expectRejected(() => openBundle(file, { verifySignature: spy.verify, caps }), reason, message);
    assert.equal(spy.calls(), 0, 'the signature was checked before the refusal');
  };
  const withExtra = (extra: RawZipEntry): Buffer => buildRawZip([extra, ...entries]);

  it('entry names with ../, an absolute path, a drive letter, a separator or outside the name rule: UNSAFE_ENTRY_NAME', async () => {
    const cases: Array<[string, RegExp]> = [
      ['../evil.ndjson', /"\.\.\/evil\.ndjson" contains "\.\." \(path traversal\)/],
      ['../../etc/cron.d/x', /path traversal/],
      ['/etc/passwd', /"\/etc\/passwd" is an absolute path/],
      ['\\windows\\system32', /is an absolute path/],
      ['C:evil.ndjson', /"C:evil\.ndjson" starts with a drive letter/],
      ['data/usage.ndjson', /"data\/usage\.ndjson" contains a path separator/],
      ['data\\usage.ndjson', /contains a path separator/],
      ['.hidden', /"\.hidden" does not match the entry name rule/],
      ['evil\n.ndjson', /"evil\\n\.ndjson" does not match/],
    ];
    for (const [name, message] of cases) {
      await refusedBeforeSignature(withExtra({ name, data: Buffer.from('{}\n') }), 'UNSAFE_ENTRY_NAME', message);
    }
  });

  it('duplicate entry names, written by archiver, or differing only in case: DUPLICATE_ENTRY', async () => {
    const file = join(dir, 'duplicate.zip');
    const archive = new ZipArchive();
    const out = createWriteStream(file);
    archive.pipe(out);
    for (const entry of entries) archive.append(entry.data, { name: entry.name });
    archive.append(Buffer.from('{"evil":true}\n'), { name: 'usage.ndjson' });
    await archive.finalize();
    await finished(out);
    await refusedBeforeSignature(file, 'DUPLICATE_ENTRY', /"usage\.ndjson" appears more than once/);
    await refusedBeforeSignature(withExtra({ name: 'USAGE.ndjson', data: Buffer.from('{}\n') }), 'DUPLICATE_ENTRY', /"usage\.ndjson" appears more than once/);
  });

  it('a symlink written by archiver, or directory attributes: LINK_ENTRY', async () => {
    const file = join(dir, 'symlink.zip');
    const archive = new ZipArchive();
    const out = createWriteStream(file);
    archive.pipe(out);
    for (const entry of entries) archive.append(entry.data, { name: entry.name });
    archive.symlink('license-lines.ndjson', '/etc/shadow');
    await archive.finalize();
    await finished(out);
    await refusedBeforeSignature(file, 'LINK_ENTRY', /"license-lines\.ndjson" is a symbolic link/);
    await refusedBeforeSignature(withExtra({ name: 'link.ndjson', data: Buffer.from('/etc/shadow'), externalAttributes: SYMLINK_ATTRIBUTES }),
      'LINK_ENTRY', /"link\.ndjson" is a symbolic link/);
    await refusedBeforeSignature(withExtra({ name: 'folder', data: Buffer.alloc(0), externalAttributes: DIRECTORY_ATTRIBUTES }),
      'LINK_ENTRY', /"folder" is a directory/);
  });

  it('a zip bomb: 10 MB of zeros in a few kilobytes, declared honestly, with maxEntryBytes 1 MB: TOO_LARGE', async () => {
    const zeros = Buffer.alloc(10 * MiB);
    const bomb = withExtra({ name: 'bomb.ndjson', data: zeros, method: 8 });
    assert.ok(bomb.length < 64 * 1024, `the bomb is ${bomb.length} bytes`);
    await refusedBeforeSignature(bomb, 'TOO_LARGE', /"bomb\.ndjson" declares 10485760 bytes, over the 1048576 byte cap/, { maxEntryBytes: MiB });
    // Within the size caps, the compression ratio gives it away.
    await refusedBeforeSignature(bomb, 'TOO_LARGE', /"bomb\.ndjson" would inflate \d+:1, over the 500:1 cap \(zip bomb\)/, { maxEntryBytes: 16 * MiB });
  });

  it('a zip bomb whose headers and signed manifest lie about its size: stopped at the declared size while inflating', async () => {
    const lying = repack(bundle, {
      manifest: (m) => m.entries.push({ name: 'bomb.ndjson', kind: 'x', sha256: '0'.repeat(64), size: 1000, records: 1 }),
      entries: (data) => [...data, { name: 'bomb.ndjson', data: Buffer.alloc(10 * MiB), method: 8, declaredSize: 1000 }],
    });
    const opened = await openBundle(await fixture(lying), { verifySignature: spyVerifier().verify, caps: { maxEntryBytes: MiB } });
    await expectRejected(() => opened.verifyAll(), 'TOO_LARGE', /"bomb\.ndjson" inflates past its declared 1000 bytes \(zip bomb\); reading stopped/);
  });

  it('a lying bomb behind a wrong signature is never inflated: BAD_SIGNATURE comes first', async () => {
    const lying = repack(bundle, {
      signer: stranger.privateKey,
      manifest: (m) => m.entries.push({ name: 'bomb.ndjson', kind: 'x', sha256: '0'.repeat(64), size: 1000, records: 1 }),
      entries: (data) => [...data, { name: 'bomb.ndjson', data: Buffer.alloc(10 * MiB), method: 8, declaredSize: 1000 }],
    });
    const spy = spyVerifier();
    await expectRejected(async () => openBundle(await fixture(lying), { verifySignature: spy.verify }), 'BAD_SIGNATURE', /another key/);
    assert.equal(spy.calls(), 1);
  });

  it('a manifest.json that inflates past its declared size: TOO_LARGE before the signature is checked', async () => {
    const manifestBomb = buildRawZip([
      ...entries.filter((e) => e.name !== MANIFEST_ENTRY),
      { name: MANIFEST_ENTRY, data: Buffer.alloc(10 * MiB, 0x20), method: 8, declaredSize: 200 },
    ]);
    await refusedBeforeSignature(manifestBomb, 'TOO_LARGE', /"manifest\.json" inflates past its declared 200 bytes/);
    const bigSignature = withExtra({ name: SIGNATURE_ENTRY, data: Buffer.alloc(8192, 0x41), method: 8 });
    await refusedBeforeSignature(bigSignature, 'TOO_LARGE', /"manifest\.sig" declares 8192 bytes, over the 4096 byte cap/);
  });

  it('too many entries, or too many bytes in total: TOO_LARGE', async () => {
    await refusedBeforeSignature(bundle, 'TOO_LARGE', /holds 5 entries, over the cap of 2 data entries/, { maxEntries: 2 });
    const twoMegabytes = [1, 2].map((i): RawZipEntry => ({ name: `part-${i}.ndjson`, data: ndjson(Array.from({ length: 20_000 }, (_u, n) => ({ n, i }))), method: 8 }));
    await refusedBeforeSignature(buildRawZip([...entries, ...twoMegabytes]), 'TOO_LARGE', /more than 500000 bytes in total/, { maxTotalBytes: 500_000 });
  });

  it('no single corrupted byte gets through: each is refused, or touched only bytes that carry no content', async () => {
    const expected = await Promise.all(['product-instances.ndjson', 'usage.ndjson'].map(async (name) => {
      const opened = await openBundle(await fixture(bundle), { verifySignature: spyVerifier().verify });
      return collect(opened.readEntry(name));
    }));
    const file = join(dir, 'corrupted.zip');
    // Every third byte keeps the run short; the full sweep (every byte, three masks) was run while writing this.
    for (let at = 0; at < bundle.length; at += 3) {
      const corrupted = Buffer.from(bundle);
      corrupted[at] = (corrupted[at] ?? 0) ^ 0xff;
      await writeFile(file, corrupted);
      try {
        const opened = await openBundle(file, { verifySignature: spyVerifier().verify });
        await opened.verifyAll();
        // Accepted: the byte was a date, a CRC, a version or permission bit; the content is intact.
        assert.deepEqual([await collect(opened.readEntry('product-instances.ndjson')), await collect(opened.readEntry('usage.ndjson'))], expected);
      } catch (error) {
        assert.ok(error instanceof BundleRejectedError, `byte ${at}: ${String(error)}`);
      }
    }
  });

  it('headers that disagree, overlapping or encrypted entries: CORRUPT_ARCHIVE', async () => {
    const renamed = buildRawZip(entries.map((e) => (e.name === 'usage.ndjson' ? { ...e, localName: '../usage.ndj' } : e)));
    const opened = await openBundle(await fixture(renamed), { verifySignature: spyVerifier().verify });
    await expectRejected(() => opened.verifyAll(), 'CORRUPT_ARCHIVE', /local header of entry "usage\.ndjson" names "\.\.\/usage\.ndj"/);

    const overlapping = Buffer.from(bundle);
    const end = overlapping.length - 22;
    const directory = overlapping.readUInt32LE(end + 16);
    // Point the second central directory record at the first entry's local header.
    const secondRecord = directory + 46 + overlapping.readUInt16LE(directory + 28);
    overlapping.writeUInt32LE(0, secondRecord + 42);
    await refusedBeforeSignature(overlapping, 'CORRUPT_ARCHIVE', /overlap/);

    const encrypted = Buffer.from(bundle);
    encrypted.writeUInt16LE(encrypted.readUInt16LE(directory + 8) | 0x01, directory + 8);
    await refusedBeforeSignature(encrypted, 'CORRUPT_ARCHIVE', /"product-instances\.ndjson" is encrypted/);
  });
});
