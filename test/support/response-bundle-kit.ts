import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LicenseLineRecord, NoticeRecord } from '../../protocol/sync-entries.js';
import { writeBundle } from '../../sync/bundle/bundle-writer.js';
import { createManifestSigner } from '../../sync/bundle/manifest-signer.js';
import type { SatelliteApp } from '../../server/create-satellite-app.js';

const DAY = 86_400_000;

export interface TestUpstream {
  upstreamId: string;
  satelliteId: string;
  privateKey: KeyObject;
  dir: string;
  cleanup(): Promise<void>;
}

/** Binds the satellite to a test upstream (P-256 key) mapping account Acme/Lab, with requests up to sequence 5 sent. */
export async function bindTestUpstream(app: SatelliteApp): Promise<TestUpstream> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const satelliteId = randomUUID();
  const upstreamId = 'test-upstream';
  const now = app.satellite.clock.now();
  app.satellite.satelliteBinding.register({
    satelliteId, satelliteName: 'sat-1', upstreamId, upstreamUrl: null,
    upstreamPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    upstreamKeyFingerprint: createHash('sha256').update(der).digest('hex'),
    accounts: [{ account: 'Acme', virtualAccounts: ['Lab'] }], credentialExpiresAt: now + 365 * DAY, issuedAt: now,
  }, { mode: 'disconnected' });
  app.satellite.uow.write((r) => r.satelliteBinding.saveSyncState({ ...r.satelliteBinding.findSyncState(), requestSequence: 5 }));
  const dir = await mkdtemp(join(tmpdir(), 'response-import-'));
  return { upstreamId, satelliteId, privateKey, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function upstreamLine(id: string, overrides: Partial<LicenseLineRecord> = {}): LicenseLineRecord {
  return {
    upstream_line_id: id, account: 'Acme', virtual_account: 'Lab', tag: 'regid.test.TAG_U', display_name: 'Upstream U',
    description: '', quantity: 5, license_type: 'PERPETUAL', starts_at: 0, ends_at: null, revision: 1, ...overrides,
  };
}

export interface ResponseSpec {
  sequence: number;
  lines: readonly object[];
  notices?: readonly NoticeRecord[];
  catalog?: readonly object[];
  acknowledgedSequence?: number;
  bundleId?: string;
  signer?: KeyObject;
  satelliteId?: string;
}

let counter = 0;

/** Writes a response bundle as the test upstream would; records are not validated so tests can break them. */
export async function writeResponse(app: SatelliteApp, upstream: TestUpstream, spec: ResponseSpec): Promise<string> {
  counter += 1;
  const now = app.satellite.clock.now();
  const outFile = join(upstream.dir, `response-${counter}.zip`);
  const entries = [
    { name: 'license-lines.ndjson', kind: 'license-lines', records: spec.lines },
    { name: 'catalog.ndjson', kind: 'catalog', records: spec.catalog ?? [] },
    {
      name: 'acknowledgement.ndjson', kind: 'acknowledgement', records: [{
        acknowledged_sequence: spec.acknowledgedSequence ?? 5, acknowledged_bundle_id: randomUUID(),
        product_instances_acknowledged: 0, credential_expires_at: now + 400 * DAY,
      }],
    },
    { name: 'notices.ndjson', kind: 'notices', records: spec.notices ?? [] },
  ];
  await writeBundle({
    header: {
      format: 'satellite-sync', format_version: 1, kind: 'response', bundle_id: spec.bundleId ?? randomUUID(),
      satellite_id: spec.satelliteId ?? upstream.satelliteId, upstream_id: upstream.upstreamId, sequence: spec.sequence,
      in_reply_to: { bundle_id: randomUUID(), sequence: 5 }, created_at: now, expires_at: now + 30 * DAY,
    },
    entries, sign: createManifestSigner(spec.signer ?? upstream.privateKey), outFile, compression: 'store',
  });
  return outFile;
}

/** Every row of every table, for "nothing changed" assertions. */
export function dumpDatabase(app: SatelliteApp): Record<string, string[]> {
  const db = app.satellite.db;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  const dump: Record<string, string[]> = {};
  for (const table of tables) {
    if (typeof table !== 'string') continue;
    // Some tables are WITHOUT ROWID: rows are compared as sorted JSON instead of in rowid order.
    dump[table] = db.prepare(`SELECT * FROM "${table}"`).all().map((row) => JSON.stringify(row)).sort();
  }
  return dump;
}
