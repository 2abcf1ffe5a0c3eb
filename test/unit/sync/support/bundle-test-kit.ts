import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MANIFEST_ENTRY, SIGNATURE_ENTRY, SYNC_FORMAT, SYNC_FORMAT_VERSION, type SyncManifest, type SyncManifestHeader,
} from '../../../../protocol/sync-manifest.js';
import { BundleRejectedError, type BundleRejectionReason } from '../../../../sync/bundle/bundle-rejected-error.js';
import type { BundleEntrySource } from '../../../../sync/bundle/bundle-writer.js';
import { createManifestSigner, createManifestVerifier } from '../../../../sync/bundle/manifest-signer.js';
import { buildRawZip, listRawZip, type RawZipEntry } from './raw-zip-builder.js';

/** Shared fixtures of the bundle tests: keys, a header, sample entries, a re-signing repacker. */
export const sender = generateKeyPairSync('ec', { namedCurve: 'P-256' });
export const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
export const signAsSender = createManifestSigner(sender.privateKey);
export const verifySender = createManifestVerifier(sender.publicKey);

export const CREATED_AT = Date.UTC(2026, 10, 1);
export const DAY = 24 * 60 * 60 * 1000;

export function sampleHeader(overrides: Partial<SyncManifestHeader> = {}): SyncManifestHeader {
  return {
    format: SYNC_FORMAT,
    format_version: SYNC_FORMAT_VERSION,
    kind: 'request',
    bundle_id: '0b6f2f0e-7d8c-4f53-9a51-6a1b1d6c2e01',
    satellite_id: '5c1e6c8e-2f4b-4b7e-8f38-0d7c7a3f9b12',
    upstream_id: 'upstream-eu-1',
    sequence: 7,
    in_reply_to: null,
    created_at: CREATED_AT,
    expires_at: CREATED_AT + 30 * DAY,
    ...overrides,
  };
}

export function instanceRecords(count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_unused, i) => ({
    id: `pi-${String(i).padStart(6, '0')}`, hostname: `switch-${i}.example.net`, tags: { 'regid.C9300': i % 7 }, note: 'café ✓',
  }));
}

/** Three entries: a small one, a generator, and an empty one. */
export function sampleEntries(): BundleEntrySource[] {
  return [
    { name: 'product-instances.ndjson', kind: 'product-instances', records: instanceRecords(5) },
    { name: 'usage.ndjson', kind: 'usage', records: (function* usage() { for (let i = 0; i < 3; i += 1) yield { va: 'VA-1', tag: `t${i}`, count: i }; })() },
    { name: 'events.ndjson', kind: 'event-summary', records: [] },
  ];
}

export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'satellite-bundle-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function collect(records: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const record of records) all.push(record);
  return all;
}

/** Asserts a BundleRejectedError with this reason and a message naming the cause. */
export async function expectRejected(action: () => Promise<unknown>, reason: BundleRejectionReason, message: RegExp): Promise<BundleRejectedError> {
  try {
    await action();
  } catch (error) {
    assert.ok(error instanceof BundleRejectedError, `expected a BundleRejectedError, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    assert.match(error.message, message);
    assert.deepEqual(error.details, { reason });
    return error;
  }
  assert.fail(`expected a ${reason} refusal`);
}

/** A verifier that remembers whether it was consulted, to show which checks run before the signature. */
export function spyVerifier(inner = verifySender): { verify: (bytes: Buffer, signature: string) => boolean; calls: () => number } {
  let calls = 0;
  return { verify: (bytes, signature) => { calls += 1; return inner(bytes, signature); }, calls: () => calls };
}

export function ndjson(records: readonly object[]): Buffer {
  return Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function unzipTest(file: string): string {
  return execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
}

export interface Repack {
  /** Edits the manifest before it is re-serialised and re-signed. */
  manifest?: (manifest: SyncManifest) => void;
  /** Edits the data entries (manifest.json and manifest.sig are added after). */
  entries?: (entries: RawZipEntry[]) => RawZipEntry[];
  signer?: KeyObject;
  /** Puts manifest.json and manifest.sig first instead of last. */
  manifestFirst?: boolean;
}

/** Takes a bundle apart and puts it back together with edits, signed again (by the sender by default). */
export function repack(zip: Buffer, edits: Repack = {}): Buffer {
  const listing = listRawZip(zip);
  const manifestData = listing.find((e) => e.name === MANIFEST_ENTRY)?.data;
  assert.ok(manifestData, 'the bundle has a manifest');
  const manifest = JSON.parse(manifestData.toString('utf8')) as SyncManifest;
  edits.manifest?.(manifest);
  const data: RawZipEntry[] = listing
    .filter((e) => e.name !== MANIFEST_ENTRY && e.name !== SIGNATURE_ENTRY)
    .map((e) => ({ name: e.name, data: e.data }));
  const entries = edits.entries ? edits.entries(data) : data;
  const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  const signature = createManifestSigner(edits.signer ?? sender.privateKey)(manifestBytes);
  const signed: RawZipEntry[] = [{ name: MANIFEST_ENTRY, data: manifestBytes }, { name: SIGNATURE_ENTRY, data: Buffer.from(signature) }];
  return buildRawZip(edits.manifestFirst ? [...signed, ...entries] : [...entries, ...signed]);
}
