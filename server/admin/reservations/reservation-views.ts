import { z } from 'zod';
import type { Reservation } from '../../../licensing/reservations/reservation.js';
import { isoTime, isoTimeOrNull } from '../shared/request-fields.js';

const message = 'expected a number';
/** Numbers or numeric strings (toolkit clients send both); the service names a zero, negative or fractional one. */
const quantityField = z.union([z.number(), z.string().trim().regex(/^[+-]?\d{1,15}(\.\d+)?$/, { error: message })], { error: message })
  .transform(Number);

export const licenseAskSchema = z.object({
  entitlementTag: z.string().min(1).max(500),
  quantity: quantityField.optional().describe('whole number of at least 1; default 1 (a PLR reserves exactly 1)'),
});

export const reservationTypeSchema = z.enum(['SPECIFIC', 'UNIVERSAL']).describe('SPECIFIC: SLR (per license); UNIVERSAL: PLR (one seat of the chosen line)');

export const reserveBodySchema = z.object({
  reservationRequests: z.array(z.object({
    reservationCode: z.string().min(1).max(1024).describe('the request code the device printed'),
    reservationType: reservationTypeSchema.optional().describe('default SPECIFIC'),
    licenses: z.array(licenseAskSchema).max(100),
  })).min(1).max(100),
});

export const issuedCodesSchema = z.object({
  status: z.literal('SUCCESS'),
  authorizationCodes: z.array(z.object({
    reservationCode: z.string(),
    productInstanceId: z.string().describe('the reservation id in every route; the <piid> of an SLR code'),
    status: z.enum(['RESERVED', 'IN_TRANSIT']),
    authorizationCode: z.string().describe('SLR: <specificPLR> XML; PLR: base58 groups. Install it on the device'),
  })),
});

export const reservationView = z.object({
  productInstanceId: z.string(),
  reservationCode: z.string(),
  reservationType: reservationTypeSchema,
  status: z.enum(['RESERVED', 'IN_TRANSIT']).describe('IN_TRANSIT: an update awaits its confirmation code'),
  udi: z.object({ pid: z.string(), serialNumber: z.string(), vid: z.string().nullable(), hostIdentifier: z.string().nullable() }),
  licenses: z.array(z.object({
    entitlementTag: z.string(),
    quantity: z.number().int().describe('granted by the confirmed (or first) code'),
    pendingQuantity: z.number().int().nullable().describe('granted by the update in transit'),
    reserved: z.number().int().describe('seats held in the pool now: the larger of the two while in transit'),
  })),
  authorizationCode: z.string(),
  pendingAuthorizationCode: z.string().nullable(),
  createdAt: z.string().describe('ISO 8601'),
  updatedAt: z.string().describe('ISO 8601'),
  confirmedAt: z.string().nullable().describe('ISO 8601; null until a confirmation code was entered'),
});

export function toReservationView(r: Reservation): z.infer<typeof reservationView> {
  return {
    productInstanceId: r.instanceId, reservationCode: r.requestCode, reservationType: r.type, status: r.status, udi: r.udi,
    licenses: r.licenses.map((l) => ({
      entitlementTag: l.tag, quantity: l.quantity, pendingQuantity: l.pendingQuantity, reserved: Math.max(l.quantity, l.pendingQuantity ?? 0),
    })),
    authorizationCode: r.authorizationCode, pendingAuthorizationCode: r.pendingAuthorizationCode,
    createdAt: isoTime(r.createdAt), updatedAt: isoTime(r.updatedAt), confirmedAt: isoTimeOrNull(r.confirmedAt),
  };
}
