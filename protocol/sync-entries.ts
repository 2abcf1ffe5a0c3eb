import { z } from 'zod';

/**
 * The NDJSON records that travel in sync bundles (DESIGN §5.2). One schema per entry kind; the writer
 * validates what it sends and the importer validates every record it reads. Token secrets never travel.
 */
const epoch = z.number().int().nonnegative();
const name = z.string().min(1).max(200);

// ---- request (satellite → upstream) ----

/** Identifies the sender of a request; the upstream pins this key on the first request it accepts. */
export const satelliteRecordSchema = z.object({
  satellite_id: z.uuid(),
  name: z.string().max(200),
  /** SPKI PEM of the key that signs this satellite's bundles. */
  public_key_pem: z.string().min(64).max(4096),
  /**
   * What `product-instances` is relative to: null = a full snapshot (the upstream then marks every instance it holds
   * for this satellite and this request does not list as removed); N = the changes since the snapshot of request N,
   * the upstream's last word on what it holds (acknowledgement `instances_sequence`). Absent from older satellites.
   */
  instances_base_sequence: z.number().int().positive().nullable().optional(),
});

export const productInstanceRecordSchema = z.object({
  product_instance_id: z.uuid(),
  account: name,
  virtual_account: name,
  change: z.enum(['upsert', 'removed']),
  udi_pid: z.string().max(64),
  udi_serial_number: z.string().max(64),
  udi_vid: z.string().max(32).nullable(),
  host_identifier: z.string().max(64).nullable(),
  product_tag: z.string().max(256),
  hostname: z.string().max(253).nullable(),
  registration_state: z.enum(['REGISTERED', 'UNREGISTERED']),
  authorization_state: z.string().max(32),
  registered_at: epoch,
  last_contact_at: epoch,
  entitlements: z.array(z.object({ tag: z.string().max(256), requested: z.number().int().nonnegative(), authorized: z.number().int().nonnegative() })).max(500),
});

export const usageRecordSchema = z.object({
  account: name,
  virtual_account: name,
  tag: z.string().min(1).max(256),
  authorized: z.number().int().nonnegative(),
  requested: z.number().int().nonnegative(),
  reserved: z.number().int().nonnegative(),
  /** Highest in-use count seen since the last acknowledged request. */
  peak: z.number().int().nonnegative(),
});

export const localVirtualAccountRecordSchema = z.object({
  account: name,
  name,
  description: z.string().max(1000),
  created_at: epoch,
});

export const eventSummaryRecordSchema = z.object({
  type: z.string().min(1).max(64),
  count: z.number().int().nonnegative(),
  first_at: epoch,
  last_at: epoch,
});

/**
 * License reservations of bound accounts (DESIGN §9.2), a full snapshot in every request: the upstream
 * replaces what it holds for the satellite, so one made while disconnected arrives with the next export.
 */
export const reservationRecordSchema = z.object({
  product_instance_id: z.uuid(),
  account: name,
  virtual_account: name,
  reservation_type: z.enum(['SPECIFIC', 'UNIVERSAL']),
  status: z.enum(['RESERVED', 'IN_TRANSIT']),
  udi_pid: z.string().max(64),
  udi_serial_number: z.string().max(64),
  /** Seats held per tag now: the larger of the confirmed and the pending count while an update is in transit. */
  licenses: z.array(z.object({ tag: z.string().min(1).max(256), reserved: z.number().int().nonnegative() })).max(100),
  created_at: epoch,
  confirmed_at: epoch.nullable(),
});

// ---- response (upstream → satellite) ----

/** A full snapshot of every bound account's lines; the satellite reconciles by upstream_line_id. */
export const licenseLineRecordSchema = z.object({
  upstream_line_id: z.string().min(1).max(128),
  account: name,
  virtual_account: name,
  tag: z.string().min(1).max(256),
  display_name: z.string().min(1).max(300),
  description: z.string().max(1000),
  quantity: z.number().int().nonnegative(),
  license_type: z.enum(['PERPETUAL', 'TERM', 'SUBSCRIPTION']),
  starts_at: epoch,
  ends_at: epoch.nullable(),
  revision: z.number().int().nonnegative(),
  /** The line's own substitution ladder; optional so bundles of upstreams that send only the catalog's still read. */
  substitution_ladder: z.array(z.string().min(1).max(256)).max(32).optional(),
});

export const catalogRecordSchema = z.object({
  tag: z.string().min(1).max(256),
  display_name: z.string().min(1).max(300),
  description: z.string().max(1000),
  substitution_ladder: z.array(z.string().min(1).max(256)).max(32),
  /** The tier's level in its ladder (larger = higher); optional, older upstreams do not send it. */
  substitution_level: z.number().int().nonnegative().nullable().optional(),
});

export const acknowledgementRecordSchema = z.object({
  acknowledged_sequence: z.number().int().positive(),
  acknowledged_bundle_id: z.uuid(),
  /** Product instance ids the upstream recorded; the satellite marks these synced. */
  product_instances_acknowledged: z.number().int().nonnegative(),
  credential_expires_at: epoch,
  /**
   * The request sequence through which the upstream holds this satellite's complete instance list, after this request
   * (null: it holds none it can vouch for, so the next request must be a full snapshot). The satellite's next
   * `product-instances` carries the changes since that request's snapshot. Absent from older upstreams.
   */
  instances_sequence: z.number().int().positive().nullable().optional(),
});

export const noticeRecordSchema = z.object({
  severity: z.enum(['Major', 'Minor', 'Informational']),
  message: z.string().min(1).max(2000),
});

/** Entry names and kinds: one entry per kind, named `<kind>.ndjson`, or parts named `partFileName(kind, n)`. */
export const REQUEST_ENTRY_KINDS = {
  satellite: satelliteRecordSchema,
  'product-instances': productInstanceRecordSchema,
  usage: usageRecordSchema,
  'virtual-accounts': localVirtualAccountRecordSchema,
  'event-summary': eventSummaryRecordSchema,
  reservations: reservationRecordSchema,
} as const;

export const RESPONSE_ENTRY_KINDS = {
  'license-lines': licenseLineRecordSchema,
  catalog: catalogRecordSchema,
  acknowledgement: acknowledgementRecordSchema,
  notices: noticeRecordSchema,
} as const;

export const entryFileName = (kind: string): string => `${kind}.ndjson`;

export type ProductInstanceRecord = z.infer<typeof productInstanceRecordSchema>;
export type UsageRecord = z.infer<typeof usageRecordSchema>;
export type ReservationRecord = z.infer<typeof reservationRecordSchema>;
export type LicenseLineRecord = z.infer<typeof licenseLineRecordSchema>;
export type CatalogRecord = z.infer<typeof catalogRecordSchema>;
export type AcknowledgementRecord = z.infer<typeof acknowledgementRecordSchema>;
export type NoticeRecord = z.infer<typeof noticeRecordSchema>;
