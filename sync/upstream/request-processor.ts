import { createPublicKey, type KeyObject } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { z } from 'zod';
import type { RegisteredSatellite } from '../../licensing/upstream/registered-satellite.js';
import type {
  ReportedEventCount, ReportedPoolUsage, ReportedProductInstance, ReportedReservation, ReportedVirtualAccount,
} from '../../licensing/upstream/satellite-report.js';
import { SyncRefusedError } from '../../licensing/upstream/satellite-sync-service.js';
import { formatZodIssues } from '../../protocol/signed-envelope.js';
import {
  entryFileName, eventSummaryRecordSchema, localVirtualAccountRecordSchema, productInstanceRecordSchema, reservationRecordSchema,
  satelliteRecordSchema, usageRecordSchema,
} from '../../protocol/sync-entries.js';
import type { SyncManifest } from '../../protocol/sync-manifest.js';
import { checkBundleAddress } from '../bundle/bundle-address.js';
import type { BundleCaps } from '../bundle/bundle-caps.js';
import { openBundle, type OpenedBundle } from '../bundle/bundle-reader.js';
import { createManifestVerifier } from '../bundle/manifest-signer.js';
import type { ReferenceUpstream } from './reference-upstream.js';
import { writeResponseBundle } from './response-bundle-writer.js';

/** Reports are stored in transactions of this many records: bounded memory (~15 MB), bounded lock time (~0.1 s). */
const BATCH = 5000;

export interface ProcessedRequest {
  request: SyncManifest;
  response: SyncManifest;
  satellite: RegisteredSatellite;
  /** True when this request pinned the satellite's key (its first accepted request). */
  pinnedKey: boolean;
  productInstances: number;
}

/**
 * The upstream's bundle processing (DESIGN §5.3-5.4), shared by `satellite upstream process` and
 * `POST /upstream/v1/sync`.
 *
 * Trust on first use: the satellite's key is not in its registration file (the upstream issues that file
 * before the satellite exists), so the first request carries it in its `satellite` record. That record is
 * read from an unverified open of the bundle only to learn the key; the bundle is then opened again and
 * must verify with that very key, and the record is read again from the verified bundle (the manifest's
 * sha256 binds it) and must name the same key. Only a request that is accepted pins the key; every later
 * request must verify with the pinned key, so another key is refused as BAD_SIGNATURE.
 */
export class RequestProcessor {
  readonly #upstream: ReferenceUpstream;
  readonly #caps: Partial<BundleCaps>;

  constructor(upstream: ReferenceUpstream, options: { caps?: Partial<BundleCaps> } = {}) {
    this.#upstream = upstream;
    this.#caps = options.caps ?? {};
  }

  async processRequest(requestFile: string, responseFile: string): Promise<ProcessedRequest> {
    const { sync, identity, clock } = this.#upstream;
    // Unverified: only to find out who claims to have sent it. Nothing else from this open is trusted.
    const peek = await openBundle(requestFile, { verifySignature: () => true, caps: this.#caps });
    const satellite = sync.requireActive(peek.manifest.satellite_id);
    const pinnedKey = satellite.satellitePublicKeyPem === null;
    const keyPem = satellite.satellitePublicKeyPem ?? (await readSatelliteRecord(peek)).public_key_pem;
    const bundle = await openBundle(requestFile, { verifySignature: createManifestVerifier(parseKey(keyPem)), caps: this.#caps });
    const request = bundle.manifest;
    const address = checkBundleAddress(request, {
      kind: 'request', satelliteId: satellite.id, upstreamId: identity.upstreamId, now: clock.now(),
      lastAcceptedSequence: satellite.requestSequence === 0 ? null : satellite.requestSequence, lastBundleId: null,
    });
    if (!address.ok) throw new SyncRefusedError(address.reason, address.message);
    // Sizes, sha256 and counts of every entry before anything is stored; each record is parsed and checked against
    // its schema as it is stored (a bad one refuses the request, which is then not accepted; the upserts already
    // made are idempotent). One JSON parse per record instead of two: at 1M instances that is a third of the CPU.
    await bundle.verifyIntegrity();
    const record = await readSatelliteRecord(bundle);
    if (pinnedKey && record.public_key_pem !== keyPem) {
      throw new SyncRefusedError('KEY_MISMATCH', 'the satellite record names another key than the one the bundle verified with');
    }

    const productInstances = await this.#recordReports(bundle, satellite.id, request.sequence);
    const instances = instancesAfter(satellite, request.sequence, record.instances_base_sequence);
    const now = clock.now();
    const credentialExpiresAt = sync.nextCredentialExpiry(now);
    const responseSequence = satellite.responseSequence + 1;
    const response = await writeResponseBundle({
      upstream: this.#upstream, satellite, request, responseSequence, credentialExpiresAt, productInstances, outFile: responseFile,
      lines: sync.linesFor(satellite), now, instancesSequence: instances.sequence,
    });
    try {
      const accepted = sync.completeRequest({
        satellite, requestSequence: request.sequence, responseSequence, satellitePublicKeyPem: keyPem, credentialExpiresAt,
        instancesSequence: instances.sequence, fullSnapshot: instances.full,
      });
      return { request, response, satellite: accepted, pinnedKey, productInstances };
    } catch (error) {
      // A response for a request that was not accepted must not reach the satellite.
      await rm(responseFile, { force: true });
      throw error;
    }
  }

  /** Every reported entry, each stored in batches; returns how many product instances were listed. */
  async #recordReports(bundle: OpenedBundle, satelliteId: string, sequence: number): Promise<number> {
    const { sync } = this.#upstream;
    const instances = await recordKind(bundle, 'product-instances', productInstanceRecordSchema, (r): ReportedProductInstance => ({
      productInstanceId: r.product_instance_id, account: r.account, virtualAccount: r.virtual_account, removed: r.change === 'removed',
      record: JSON.stringify(r),
    }), (batch) => sync.recordInstances(satelliteId, sequence, batch));
    await recordKind(bundle, 'usage', usageRecordSchema, (r): ReportedPoolUsage => ({
      account: r.account, virtualAccount: r.virtual_account, tag: r.tag, authorized: r.authorized, requested: r.requested, reserved: r.reserved,
      peak: r.peak,
    }), (batch) => sync.recordUsage(satelliteId, sequence, batch));
    await recordKind(bundle, 'virtual-accounts', localVirtualAccountRecordSchema, (r): ReportedVirtualAccount => ({
      account: r.account, name: r.name, description: r.description, createdAt: r.created_at,
    }), (batch) => sync.recordVirtualAccounts(satelliteId, sequence, batch));
    await recordKind(bundle, 'event-summary', eventSummaryRecordSchema, (r): ReportedEventCount => ({
      type: r.type, count: r.count, firstAt: r.first_at, lastAt: r.last_at,
    }), (batch) => sync.recordEventCounts(satelliteId, sequence, batch));
    // Absent from a satellite that predates reservations: then its stored reservations stay as they were.
    if (bundle.hasKind('reservations')) {
      const reservations: ReportedReservation[] = [];
      for await (const raw of bundle.readKind('reservations')) {
        const r = parseRecord(reservationRecordSchema, raw, 'reservations');
        reservations.push({ productInstanceId: r.product_instance_id, account: r.account, virtualAccount: r.virtual_account, licenses: r.licenses, record: JSON.stringify(r) });
      }
      sync.recordReservations(satelliteId, sequence, reservations);
    }
    return instances;
  }
}

/**
 * What the upstream holds of the satellite's instances once this request is accepted (the acknowledgement's
 * `instances_sequence`). A full snapshot (base null) makes it complete through this request. A delta against base N
 * does too if the upstream was complete through N or later (the delta holds every change since N's snapshot, which
 * is not after the later one's); otherwise (it lost state, e.g. restored from a backup) it stays what it was, and the
 * satellite's next request is relative to that, or a full snapshot if nothing. An older satellite (no base) changes
 * nothing.
 */
function instancesAfter(
  satellite: RegisteredSatellite, sequence: number, base: number | null | undefined,
): { sequence: number | null; full: boolean } {
  if (base === null) return { sequence, full: true };
  const held = satellite.instancesSequence;
  if (base !== undefined && held !== null && held >= base) return { sequence, full: false };
  return { sequence: held, full: false };
}

/** Reads every entry of one kind (absent is empty) through its schema and stores it in batches of BATCH; returns the record count. */
async function recordKind<T, R>(
  bundle: OpenedBundle, kind: string, schema: z.ZodType<T>, map: (record: T) => R, store: (batch: R[]) => void,
): Promise<number> {
  let batch: R[] = [];
  let count = 0;
  for await (const raw of bundle.readKind(kind)) {
    batch.push(map(parseRecord(schema, raw, kind)));
    count += 1;
    if (batch.length >= BATCH) {
      store(batch);
      batch = [];
    }
  }
  store(batch);
  return count;
}

function parseRecord<T>(schema: z.ZodType<T>, raw: unknown, kind: string): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new SyncRefusedError('BAD_RECORD', `a ${kind} record is invalid: ${formatZodIssues(parsed.error)}`);
  return parsed.data;
}

/** The one `satellite` record of a request; its satellite id must be the manifest's. */
async function readSatelliteRecord(bundle: OpenedBundle): Promise<z.infer<typeof satelliteRecordSchema>> {
  const name = entryFileName('satellite');
  if (!bundle.hasKind('satellite')) throw new SyncRefusedError('MISSING_SATELLITE_RECORD', `the request has no ${name}`);
  const records: unknown[] = [];
  for await (const raw of bundle.readKind('satellite')) {
    records.push(raw);
    if (records.length > 1) throw new SyncRefusedError('BAD_RECORD', `${name} must hold exactly one record`);
  }
  const record = parseRecord(satelliteRecordSchema, records[0], 'satellite');
  if (record.satellite_id.toLowerCase() !== bundle.manifest.satellite_id.toLowerCase()) {
    throw new SyncRefusedError('BAD_RECORD', `${name} names satellite ${record.satellite_id}, the manifest ${bundle.manifest.satellite_id}`);
  }
  return record;
}

function parseKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new SyncRefusedError('BAD_RECORD', 'the satellite public key is not a readable SPKI PEM');
  }
}
