import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { effectiveEnd, type UpstreamOrderLine } from '../../licensing/upstream/order-line.js';
import type { RegisteredSatellite } from '../../licensing/upstream/registered-satellite.js';
import {
  acknowledgementRecordSchema, catalogRecordSchema, entryFileName, licenseLineRecordSchema, noticeRecordSchema,
  type CatalogRecord, type NoticeRecord,
} from '../../protocol/sync-entries.js';
import { SYNC_FORMAT, SYNC_FORMAT_VERSION, type SyncManifest } from '../../protocol/sync-manifest.js';
import { writeBundle } from '../bundle/bundle-writer.js';
import { createManifestSigner } from '../bundle/manifest-signer.js';
import type { ReferenceUpstream } from './reference-upstream.js';

/** A response waits as long as a request: it travels back the same way. */
export const RESPONSE_VALIDITY_MS = 30 * MS_PER_DAY;
/** Lines whose end falls within this window raise a notice. */
export const NOTICE_WINDOW_MS = 30 * MS_PER_DAY;

export interface ResponseBundleInput {
  upstream: Pick<ReferenceUpstream, 'identity' | 'newId'>;
  satellite: RegisteredSatellite;
  request: SyncManifest;
  responseSequence: number;
  credentialExpiresAt: number;
  productInstances: number;
  /** What the upstream holds of the satellite's instances after this request (acknowledgement `instances_sequence`). */
  instancesSequence: number | null;
  /** Every line of the satellite's mapped VAs, ended ones included. */
  lines: readonly UpstreamOrderLine[];
  now: number;
  outFile: string;
}

/**
 * Writes the RESPONSE bundle (DESIGN §5.2): the full license line snapshot (the satellite reconciles by
 * upstream_line_id = order line id; ended lines travel with their end, never as a deletion), the catalog of
 * the tags in it, the acknowledgement, and notices for lines ending within 30 days. Signed by the upstream key.
 */
export async function writeResponseBundle(input: ResponseBundleInput): Promise<SyncManifest> {
  const { satellite, request, now, lines } = input;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return writeBundle({
    header: {
      format: SYNC_FORMAT, format_version: SYNC_FORMAT_VERSION, kind: 'response', bundle_id: input.upstream.newId(),
      satellite_id: satellite.id, upstream_id: input.upstream.identity.upstreamId, sequence: input.responseSequence,
      in_reply_to: { bundle_id: request.bundle_id, sequence: request.sequence }, created_at: now, expires_at: now + RESPONSE_VALIDITY_MS,
    },
    entries: [
      {
        name: entryFileName('license-lines'), kind: 'license-lines',
        records: lines.map((l) => licenseLineRecordSchema.parse({
          upstream_line_id: l.orderLineId, account: l.smartAccount, virtual_account: l.virtualAccount, tag: l.tag, display_name: l.displayName,
          description: l.description, quantity: l.quantity, license_type: l.licenseType, starts_at: l.startsAt, ends_at: effectiveEnd(l),
          revision: l.revision, substitution_ladder: l.substitutionLadder,
        })),
      },
      { name: entryFileName('catalog'), kind: 'catalog', records: catalogOf(lines, now) },
      {
        name: entryFileName('acknowledgement'), kind: 'acknowledgement',
        records: [acknowledgementRecordSchema.parse({
          acknowledged_sequence: request.sequence, acknowledged_bundle_id: request.bundle_id,
          product_instances_acknowledged: input.productInstances, credential_expires_at: input.credentialExpiresAt,
          instances_sequence: input.instancesSequence,
        })],
      },
      {
        name: entryFileName('notices'), kind: 'notices',
        records: lines.filter((l) => endsWithin(l, now)).map((l): NoticeRecord => noticeRecordSchema.parse({
          severity: 'Minor',
          message: `${l.displayName} (${l.quantity}, order line ${l.orderLineId}) in ${l.smartAccount}/${l.virtualAccount} ends on ${iso(effectiveEnd(l) ?? now)}`,
        })),
      },
    ],
    sign: createManifestSigner(input.upstream.identity.privateKey),
    outFile: input.outFile,
  });
}

function endsWithin(line: UpstreamOrderLine, now: number): boolean {
  const end = effectiveEnd(line);
  return end !== null && end > now && end <= now + NOTICE_WINDOW_MS;
}

/**
 * One entry per tag, named by one line of it: a line in force before an ended one (an ended line must not name
 * what is still sold), then the most recently updated (an orders file may have been corrected), then the lowest
 * order line id, so the same books always give the same catalog. Lines keep their own text on the satellite;
 * the catalog names tags and carries the substitution ladder.
 */
export function catalogOf(lines: readonly UpstreamOrderLine[], now: number): CatalogRecord[] {
  const inForce = (l: UpstreamOrderLine): boolean => {
    const end = effectiveEnd(l);
    return end === null || end > now;
  };
  const better = (a: UpstreamOrderLine, b: UpstreamOrderLine): boolean => {
    if (inForce(a) !== inForce(b)) return inForce(a);
    if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt;
    return a.orderLineId < b.orderLineId;
  };
  const byTag = new Map<string, UpstreamOrderLine>();
  for (const line of lines) {
    const seen = byTag.get(line.tag);
    if (!seen || better(line, seen)) byTag.set(line.tag, line);
  }
  return [...byTag.values()].sort((a, b) => a.tag.localeCompare(b.tag)).map((l) => catalogRecordSchema.parse({
    tag: l.tag, display_name: l.displayName, description: l.description, substitution_ladder: l.substitutionLadder,
    substitution_level: l.substitutionLevel,
  }));
}
