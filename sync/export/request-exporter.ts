import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { MS_PER_DAY, type Clock } from '../../licensing/shared/clock.js';
import type { IdGenerator } from '../../licensing/shared/id-generator.js';
import type { RequestSnapshotHeader, RequestSnapshotSource } from '../../licensing/binding/request-snapshot-source.js';
import {
  entryFileName, eventSummaryRecordSchema, localVirtualAccountRecordSchema, productInstanceRecordSchema, satelliteRecordSchema,
  usageRecordSchema,
} from '../../protocol/sync-entries.js';
import { SYNC_FORMAT, SYNC_FORMAT_VERSION, type SyncManifest } from '../../protocol/sync-manifest.js';
import { writeBundle, writeBundleToStream, type BundleContent } from '../bundle/bundle-writer.js';
import { createManifestSigner } from '../bundle/manifest-signer.js';
import { NdjsonSpoolWriter, readSpoolLines } from './ndjson-spool-writer.js';
import { reservationEntry } from './reservation-entry-writer.js';
import type { ReservationSyncSource } from '../../licensing/reservations/reservation-sync-source.js';

/** A request is good for 30 days: a carried file may wait for the monthly trip across the air gap. */
export const REQUEST_VALIDITY_MS = 30 * MS_PER_DAY;

export interface RequestExporterDeps {
  source: RequestSnapshotSource;
  /** The satellite PKI signing key (pki.material.signingKeyPem): it signs the bundle, and its SPKI travels in it. */
  signingKey: KeyObject;
  clock: Clock;
  newId: IdGenerator;
  /** The reservations of bound VAs (a separate entry writer: reservation-entry-writer.ts); none sent when absent. */
  reservations?: ReservationSyncSource;
  /** Where the spool files go; the OS temp directory by default. */
  tempDir?: string;
}

export type ExportTarget = { outFile: string } | { writable: Writable };

export interface ExportedRequest {
  manifest: SyncManifest;
  /** Instances listed (changed or removed since the base export, or all of them). */
  productInstances: number;
  since: number | null;
  /** The request the instances are relative to; null for a full snapshot. */
  instancesBaseSequence: number | null;
}

const SPOOLED = ['product-instances', 'usage', 'virtual-accounts', 'event-summary'] as const;
type SpooledKind = (typeof SPOOLED)[number];

/**
 * Builds the REQUEST bundle of DESIGN §5.2. The snapshot is read in one transaction that also reserves the
 * sequence, spooled to temporary NDJSON files (a transaction cannot span the awaits of zip writing), then
 * streamed into the zip. Records are validated against protocol/sync-entries.ts as they are spooled.
 * Peak usage is reported as the current in-use count (authorized + reserved): no usage history is kept yet.
 */
export class RequestExporter {
  readonly #deps: RequestExporterDeps;

  constructor(deps: RequestExporterDeps) {
    this.#deps = deps;
  }

  async exportRequestBundle(target: ExportTarget): Promise<ExportedRequest> {
    const dir = mkdtempSync(join(this.#deps.tempDir ?? tmpdir(), 'satellite-request-'));
    try {
      const spools = new Map<SpooledKind, NdjsonSpoolWriter>(SPOOLED.map((kind) => [kind, new NdjsonSpoolWriter(join(dir, entryFileName(kind)))]));
      const spool = (kind: SpooledKind): NdjsonSpoolWriter => {
        const writer = spools.get(kind);
        if (!writer) throw new Error(`no spool for ${kind}`);
        return writer;
      };
      let productInstances = 0;
      const now = this.#deps.clock.now();
      let header: RequestSnapshotHeader;
      try {
        header = this.#deps.source.takeSnapshot(now, {
          instance: (r) => {
            productInstances += 1;
            spool('product-instances').write(productInstanceRecordSchema.parse({
              product_instance_id: r.productInstanceId, account: r.account, virtual_account: r.virtualAccount,
              change: r.removed ? 'removed' : 'upsert', udi_pid: r.udiPid, udi_serial_number: r.udiSerialNumber, udi_vid: r.udiVid,
              host_identifier: r.hostIdentifier, product_tag: r.productTag, hostname: r.hostname, registration_state: r.registrationState,
              authorization_state: r.authorizationState, registered_at: r.registeredAt, last_contact_at: r.lastContactAt, entitlements: r.entitlements,
            }));
          },
          usage: (r) => spool('usage').write(usageRecordSchema.parse({
            account: r.account, virtual_account: r.virtualAccount, tag: r.tag, authorized: r.authorized, requested: r.requested,
            reserved: r.reserved, peak: r.peak,
          })),
          localVirtualAccount: (r) => spool('virtual-accounts').write(localVirtualAccountRecordSchema.parse({
            account: r.account, name: r.name, description: r.description, created_at: r.createdAt,
          })),
          eventCount: (r) => spool('event-summary').write(eventSummaryRecordSchema.parse({ type: r.type, count: r.count, first_at: r.firstAt, last_at: r.lastAt })),
        });
      } finally {
        for (const writer of spools.values()) writer.close();
      }
      const { binding } = header;
      const satellite = satelliteRecordSchema.parse({
        satellite_id: binding.satelliteId, name: binding.satelliteName,
        public_key_pem: createPublicKey(this.#deps.signingKey).export({ type: 'spki', format: 'pem' }).toString(),
        instances_base_sequence: header.instancesBaseSequence,
      });
      const content: BundleContent = {
        header: {
          format: SYNC_FORMAT, format_version: SYNC_FORMAT_VERSION, kind: 'request', bundle_id: this.#deps.newId(),
          satellite_id: binding.satelliteId, upstream_id: binding.upstreamId, sequence: header.sequence, in_reply_to: null,
          created_at: now, expires_at: now + REQUEST_VALIDITY_MS,
        },
        entries: [
          { name: entryFileName('satellite'), kind: 'satellite', records: [satellite] },
          // Instances grow with the fleet, so they travel in bounded parts (format 2); the other kinds stay small.
          ...SPOOLED.map((kind) => ({
            name: entryFileName(kind), kind, records: { lines: readSpoolLines(spool(kind).path) }, parts: kind === 'product-instances',
          })),
          ...(this.#deps.reservations ? [reservationEntry(this.#deps.reservations)] : []),
        ],
        sign: createManifestSigner(this.#deps.signingKey),
      };
      // The sequence is spent even if writing fails: a gap is harmless, a reused sequence would be a replay.
      const manifest = 'outFile' in target
        ? await writeBundle({ ...content, outFile: target.outFile })
        : await writeBundleToStream(content, target.writable);
      return { manifest, productInstances, since: header.since, instancesBaseSequence: header.instancesBaseSequence };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
