import { z } from 'zod';
import type { InstanceDetail, InstancePage, InstanceSummary } from '../../../licensing/instances/instance-views.js';
import type { TransferOutcome } from '../../../licensing/instances/instance-admin-service.js';
import { EXPORT_ROW_LIMIT, pagedQueryShape, pageInfoShape, queryInstant } from '../shared/paged-query.js';
import { integerField, isoTime, isoTimeOrNull, nameParam } from '../shared/request-fields.js';
import type { InstanceKey } from '../../../licensing/instances/instance-inventory-repository.js';
import { COUNT_CAP } from '../../../licensing/instances/instance-query-service.js';

/** Offsets walk every skipped row; deeper pages take the cursor, which costs the same at any depth. */
export const OFFSET_MAX = 10_000;

/** Opaque to clients: base64url of [lastContactAt, id], the sort key of the last row of a page. */
export function encodeCursor(key: InstanceKey): string {
  return Buffer.from(JSON.stringify([key.lastContactAt, key.id])).toString('base64url');
}

const cursorKey = z.tuple([z.number().int().min(0), z.string().min(1).max(100)]);

const cursorField = z.string().trim().min(1).max(200).transform((text, ctx): InstanceKey => {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = cursorKey.safeParse(decoded);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: 'not a cursor this API returned (use nextCursor of the previous page)' });
    return z.NEVER;
  }
  return { lastContactAt: parsed.data[0], id: parsed.data[1] };
});

const REGISTRATION_STATES = ['REGISTERED', 'UNREGISTERED'] as const;
const AUTHORIZATION_STATES = [
  'NOT_AUTHORIZED', 'AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NO_LICENSES_IN_USE', 'AUTHORIZATION_EXPIRED', 'REGISTRATION_EXPIRED',
] as const;
const ENTITLEMENT_STATUSES = ['AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NOT_AUTHORIZED', 'INVALID_TAG', 'RESERVED_AUTHORIZED'] as const;

export const instanceParams = z.object({ accountName: nameParam, instanceId: z.string().min(1).max(100) });

const filterShape = {
  virtualAccount: nameParam.optional().describe('only this virtual account (by name)'),
  search: z.string().trim().min(1).max(200).optional()
    .describe('case-insensitive: with match=contains (default) a substring of hostname, IP address, UDI PID or UDI serial number, '
      + 'or a prefix of the instance id (3 or more characters through a trigram index; 1 or 2 read every instance of the account '
      + 'or VA); with match=prefix a prefix of hostname, UDI serial number, UDI PID or instance id, answered through indexes'),
  match: z.enum(['contains', 'prefix']).default('contains').describe('how search matches: contains (default) or prefix (indexed, fast at any size)'),
  pid: z.string().trim().min(1).max(100).optional().describe('UDI PID, exact (case-insensitive)'),
  serialNumber: z.string().trim().min(1).max(100).optional().describe('UDI serial number, exact (case-insensitive)'),
  productType: z.string().trim().min(1).max(200).optional().describe('case-insensitive substring of the product tag or UDI PID, e.g. C9300'),
  licenseTag: z.string().trim().min(1).max(500).optional().describe('instances that report this entitlement tag'),
  lastContactBefore: queryInstant.optional().describe('last contact strictly before (epoch ms or ISO 8601)'),
  lastContactAfter: queryInstant.optional().describe('last contact strictly after (epoch ms or ISO 8601)'),
  registrationState: z.enum([...REGISTRATION_STATES, 'ANY']).default('REGISTERED')
    .describe('REGISTERED (default), UNREGISTERED (deregistered or removed) or ANY'),
  authorizationState: z.enum(AUTHORIZATION_STATES).optional(),
  sort: z.enum(['lastContact', '-lastContact']).default('-lastContact').describe('by last contact; "-" for newest first (default)'),
};

export const instanceListQuery = z.strictObject({
  ...filterShape,
  limit: pagedQueryShape.limit,
  offset: integerField({ min: 0, max: OFFSET_MAX }).default(0)
    .describe(`rows to skip, 0-${OFFSET_MAX}; default 0. Deeper pages: pass the previous page's nextCursor as cursor`),
  cursor: cursorField.optional().describe('continue after the page that returned this nextCursor (keyset pagination; same filters and sort)'),
  count: z.enum(['capped', 'exact']).default('capped')
    .describe(`capped (default): total counts to ${COUNT_CAP} and stops (totalExact false beyond); exact: counts every match, which reads them all`),
});
export const instanceExportQuery = z.strictObject({
  ...filterShape,
  limit: integerField({ min: 1, max: EXPORT_ROW_LIMIT }).optional()
    .describe(`at most this many rows (1-${EXPORT_ROW_LIMIT}); omitted: every matching row, streamed`),
  offset: integerField({ min: 0, max: OFFSET_MAX }).default(0).describe(`rows to skip, 0-${OFFSET_MAX}; default 0`),
});
export type InstanceListQuery = z.output<typeof instanceListQuery>;

export const transferBody = z.strictObject({
  targetVirtualAccount: nameParam.describe('name of a virtual account in the same account'),
  force: z.boolean().default(false)
    .describe('transfer even when the target pools cannot cover every tag; those tags become OUT_OF_COMPLIANCE'),
});

const udiSchema = z.object({ pid: z.string(), serialNumber: z.string(), vid: z.string().nullable(), hostIdentifier: z.string().nullable() });

export const instanceSummarySchema = z.object({
  id: z.string(),
  hostname: z.string().nullable(),
  ipAddress: z.string().nullable(),
  udi: udiSchema,
  productTag: z.string(),
  virtualAccount: z.string(),
  registrationState: z.enum(REGISTRATION_STATES),
  authorizationState: z.enum(AUTHORIZATION_STATES),
  registeredAt: z.string(),
  lastContactAt: z.string(),
  authorizedAt: z.string().nullable(),
  authorizationExpiresAt: z.string().nullable(),
  certificateNotAfter: z.string().nullable(),
  kind: z.enum(['DEVICE', 'RESERVED']).describe('RESERVED: created by a license reservation, no certificate, never authorizes'),
  reservation: z.object({
    reservationType: z.enum(['SPECIFIC', 'UNIVERSAL']),
    status: z.enum(['RESERVED', 'IN_TRANSIT']),
    licenses: z.array(z.object({ entitlementTag: z.string(), reserved: z.number().int() })),
  }).nullable().describe('the reservation this instance holds, if any (see .../reservations/{id})'),
});

const entitlementSchema = z.object({
  tag: z.string(), displayName: z.string().nullable(), requested: z.number().int(), authorized: z.number().int(),
  status: z.enum(ENTITLEMENT_STATUSES), updatedAt: z.string(),
});

export const instanceDetailSchema = instanceSummarySchema.extend({
  exportControl: z.enum(['Allowed', 'Not Allowed']),
  certificate: z.object({ serial: z.string(), notBefore: z.string(), notAfter: z.string(), revokedAt: z.string().nullable() }).nullable(),
  entitlements: z.array(entitlementSchema),
  alerts: z.array(z.object({ messageType: z.string(), severity: z.string(), message: z.string(), raisedAt: z.string() })),
});

export const instanceListResponse = z.object({
  productInstances: z.array(instanceSummarySchema),
  ...pageInfoShape,
  total: z.number().int().describe(`rows matching the filters, whatever the page; with count=capped at most ${COUNT_CAP} (see totalExact)`),
  totalExact: z.boolean().describe(`false when more than ${COUNT_CAP} rows match and counting stopped there (ask count=exact for the number)`),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
});
export const instanceDetailResponse = z.object({ productInstance: instanceDetailSchema });

/** Where a page sits in the list, as the request asked for it (echoed in the answer). */
export interface ListPaging { limit: number; offset: number }

/** The list route's answer as JSON text: the same bytes inline and in the read worker, which builds it beside the page. */
export function instanceListJson(page: InstancePage, paging: ListPaging): string {
  const body: z.input<typeof instanceListResponse> = {
    productInstances: page.instances.map(instanceSummaryView), total: page.total, totalExact: page.totalExact,
    limit: paging.limit, offset: paging.offset, nextCursor: page.next ? encodeCursor(page.next) : null,
  };
  return JSON.stringify(body);
}

const shortfallSchema = z.object({
  tag: z.string(), displayName: z.string().nullable(), needed: z.number().int(), available: z.number().int(),
  purchased: z.number().int(), reason: z.enum(['INSUFFICIENT', 'NOT_IN_VIRTUAL_ACCOUNT']),
});

export const transferResponse = z.object({
  productInstance: instanceDetailSchema,
  fromVirtualAccount: z.string(),
  toVirtualAccount: z.string(),
  forced: z.boolean().describe('true when some tags did not fit and are now OUT_OF_COMPLIANCE'),
  shortfalls: z.array(shortfallSchema).describe('the tags that did not fit (forced transfers only)'),
});

export function instanceSummaryView(s: InstanceSummary): z.output<typeof instanceSummarySchema> {
  const i = s.instance;
  return {
    id: i.id, hostname: i.hostname, ipAddress: i.ipAddress,
    udi: { pid: i.udi.pid, serialNumber: i.udi.serialNumber, vid: i.udi.vid, hostIdentifier: i.udi.hostIdentifier },
    productTag: i.productTag, virtualAccount: s.virtualAccountName,
    registrationState: i.registrationState, authorizationState: i.authorizationState,
    registeredAt: isoTime(i.registeredAt), lastContactAt: isoTime(i.lastContactAt),
    authorizedAt: isoTimeOrNull(i.authorizedAt), authorizationExpiresAt: isoTimeOrNull(i.authorizationExpiresAt),
    certificateNotAfter: isoTimeOrNull(s.certificateNotAfter),
    kind: i.kind ?? 'DEVICE',
    reservation: s.reservation ? {
      reservationType: s.reservation.type, status: s.reservation.status,
      licenses: s.reservation.licenses.map((l) => ({ entitlementTag: l.tag, reserved: l.reserved })),
    } : null,
  };
}

export function instanceDetailView(d: InstanceDetail): z.output<typeof instanceDetailSchema> {
  return {
    ...instanceSummaryView(d),
    exportControl: d.instance.exportControlAllowed ? 'Allowed' : 'Not Allowed',
    certificate: d.certificate ? {
      serial: d.certificate.serial, notBefore: isoTime(d.certificate.notBefore), notAfter: isoTime(d.certificate.notAfter),
      revokedAt: isoTimeOrNull(d.certificate.revokedAt),
    } : null,
    entitlements: d.entitlements.map((e) => ({ ...e, updatedAt: isoTime(e.updatedAt) })),
    alerts: d.alerts.map((a) => ({ messageType: a.messageType, severity: a.severity, message: a.message, raisedAt: isoTime(a.raisedAt) })),
  };
}

export function transferView(outcome: TransferOutcome, detail: InstanceDetail): z.output<typeof transferResponse> {
  return {
    productInstance: instanceDetailView(detail),
    fromVirtualAccount: outcome.from.name,
    toVirtualAccount: outcome.to.name,
    forced: outcome.shortfalls.length > 0,
    shortfalls: outcome.shortfalls.map((s) => ({ ...s })),
  };
}
