import { z } from 'zod';
import type { InstanceDetail, InstanceSummary } from '../../../licensing/instances/instance-views.js';
import type { TransferOutcome } from '../../../licensing/instances/instance-admin-service.js';
import { exportQueryShape, pagedQueryShape, pageInfoShape, queryInstant } from '../shared/paged-query.js';
import { isoTime, isoTimeOrNull, nameParam } from '../shared/request-fields.js';

const REGISTRATION_STATES = ['REGISTERED', 'UNREGISTERED'] as const;
const AUTHORIZATION_STATES = [
  'NOT_AUTHORIZED', 'AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NO_LICENSES_IN_USE', 'AUTHORIZATION_EXPIRED', 'REGISTRATION_EXPIRED',
] as const;
const ENTITLEMENT_STATUSES = ['AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NOT_AUTHORIZED', 'INVALID_TAG', 'RESERVED_AUTHORIZED'] as const;

export const instanceParams = z.object({ accountName: nameParam, instanceId: z.string().min(1).max(100) });

const filterShape = {
  virtualAccount: nameParam.optional().describe('only this virtual account (by name)'),
  search: z.string().trim().min(1).max(200).optional()
    .describe('case-insensitive substring of hostname, IP address, UDI PID, UDI serial number or instance id'),
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

export const instanceListQuery = z.strictObject({ ...filterShape, ...pagedQueryShape });
export const instanceExportQuery = z.strictObject({ ...filterShape, ...exportQueryShape });
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

export const instanceListResponse = z.object({ productInstances: z.array(instanceSummarySchema), ...pageInfoShape });
export const instanceDetailResponse = z.object({ productInstance: instanceDetailSchema });

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
