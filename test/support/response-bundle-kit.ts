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

export interface RecordedRefusal {
  row: Record<string, unknown>;
  event: Record<string, unknown> & { details: Record<string, unknown> };
}

/**
 * The full dump after a refused import equals the dump before it, minus exactly one new REFUSED history row and
 * one new event (and the events id counter in sqlite_sequence that event advanced). Returns the two for checks.
 */
export function assertOnlyRefusalRecorded(app: SatelliteApp, before: Record<string, string[]>, label: string): RecordedRefusal {
  const after = dumpDatabase(app);
  const added = (table: string): string[] => {
    const old = new Set(before[table] ?? []);
    return (after[table] ?? []).filter((row) => !old.has(row));
  };
  const rows = added('sync_imports');
  const events = added('events');
  if (rows.length !== 1 || events.length !== 1) {
    throw new Error(`${label}: expected one new history row and one new event, got ${rows.length} and ${events.length}`);
  }
  const row = JSON.parse(rows[0] ?? '{}') as Record<string, unknown>;
  const raw = JSON.parse(events[0] ?? '{}') as Record<string, unknown>;
  const event = { ...raw, details: JSON.parse(String(raw['details'])) as Record<string, unknown> };
  const rest: Record<string, string[]> = { ...after, sync_imports: (after['sync_imports'] ?? []).filter((r) => r !== rows[0]), events: (after['events'] ?? []).filter((r) => r !== events[0]) };
  const counter = (dump: Record<string, string[]>) => (dump['sqlite_sequence'] ?? []).filter((r) => (JSON.parse(r) as { name: string }).name === 'events');
  const [counterAfter] = counter(after);
  if (counterAfter !== undefined && (JSON.parse(counterAfter) as { seq: number }).seq !== raw['id']) {
    throw new Error(`${label}: the events counter moved past the refusal event`);
  }
  rest['sqlite_sequence'] = [...(after['sqlite_sequence'] ?? []).filter((r) => !counter(after).includes(r)), ...counter(before)].sort();
  const expected: Record<string, string[]> = { ...before, sqlite_sequence: [...(before['sqlite_sequence'] ?? [])].sort() };
  if (JSON.stringify(rest) !== JSON.stringify(expected)) {
    const changed = Object.keys(rest).filter((t) => JSON.stringify(rest[t]) !== JSON.stringify(expected[t]));
    throw new Error(`${label}: the refusal changed more than its history row and event: ${changed.join(', ')}`);
  }
  return { row, event };
}
