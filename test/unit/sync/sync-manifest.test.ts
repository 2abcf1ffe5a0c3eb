import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { syncManifestHeaderSchema, syncManifestSchema, type SyncManifest } from '../../../protocol/sync-manifest.js';
import { sampleHeader } from './support/bundle-test-kit.js';

const entry = { name: 'usage.ndjson', kind: 'usage', sha256: 'a'.repeat(64), size: 10, records: 1 };
const manifest = (entries: Array<typeof entry>): SyncManifest => ({ ...sampleHeader(), entries });

describe('sync manifest schema', () => {
  it('accepts a request and a response', () => {
    assert.ok(syncManifestSchema.safeParse(manifest([entry])).success);
    const reply = { ...manifest([]), kind: 'response', in_reply_to: { bundle_id: sampleHeader().bundle_id, sequence: 3 } };
    assert.ok(syncManifestSchema.safeParse(reply).success);
    assert.ok(syncManifestHeaderSchema.safeParse(sampleHeader()).success);
  });

  it('refuses reserved names, names differing only in case, traversal, and header rule breaks', () => {
    for (const name of ['manifest.json', 'manifest.sig', '../x', 'a/b', '.x', 'x'.repeat(101)]) {
      assert.equal(syncManifestSchema.safeParse(manifest([{ ...entry, name }])).success, false, name);
    }
    assert.equal(syncManifestSchema.safeParse(manifest([entry, { ...entry, name: 'USAGE.ndjson' }])).success, false);
    assert.equal(syncManifestHeaderSchema.safeParse(sampleHeader({ expires_at: sampleHeader().created_at })).success, false);
    assert.equal(syncManifestHeaderSchema.safeParse(sampleHeader({ kind: 'response' })).success, false);
  });
});
