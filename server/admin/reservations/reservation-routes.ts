import { z } from 'zod';
import type { LicenseAsk } from '../../../licensing/reservations/reservation-rules.js';
import type { Satellite } from '../../composition-root.js';
import { accessibleVirtualAccount } from '../account-access.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { actorOf } from '../shared/route-helpers.js';
import { nameParam, virtualAccountParams } from '../shared/request-fields.js';
import { issuedCodesSchema, licenseAskSchema, reservationView, reserveBodySchema, toReservationView } from './reservation-views.js';

const TAG = 'Reservations';
const base = '/accounts/:accountName/virtual-accounts/:virtualAccountName/reservations';
const one = `${base}/:productInstanceId`;
const oneParams = virtualAccountParams.extend({ productInstanceId: nameParam });

const asks = (licenses: ReadonlyArray<z.infer<typeof licenseAskSchema>>): LicenseAsk[] =>
  licenses.map((l) => ({ tag: l.entitlementTag, quantity: l.quantity ?? 1 }));

/** License reservation, SLR and PLR (DESIGN §9.3): the CSSM-shaped reserve call and the life of a reservation. */
export function reservationRoutes(satellite: Satellite): AdminRouteSpec[] {
  const vaOf = (principal: Parameters<typeof accessibleVirtualAccount>[1], p: z.infer<typeof virtualAccountParams>) =>
    accessibleVirtualAccount(satellite, principal, p.accountName, p.virtualAccountName).virtualAccount;
  return [
    defineRoute({
      method: 'post', path: base, tag: TAG, access: 'operator',
      summary: 'Reserve licenses for devices that cannot reach the satellite (CSSM shape); answers their authorization codes',
      params: virtualAccountParams, body: reserveBodySchema, response: issuedCodesSchema,
      handler: ({ params, body, principal }) => {
        const codes = satellite.reservations.create(vaOf(principal, params), body.reservationRequests.map((r) => ({
          reservationCode: r.reservationCode, reservationType: r.reservationType ?? 'SPECIFIC', licenses: asks(r.licenses),
        })), actorOf(principal));
        return { status: 'SUCCESS' as const, authorizationCodes: codes };
      },
    }),
    defineRoute({
      method: 'get', path: base, tag: TAG, access: 'viewer',
      summary: 'List the reservations of a virtual account',
      params: virtualAccountParams, response: z.object({ reservations: z.array(reservationView) }),
      handler: ({ params, principal }) => ({ reservations: satellite.reservations.list(vaOf(principal, params)).map(toReservationView) }),
    }),
    defineRoute({
      method: 'get', path: one, tag: TAG, access: 'viewer',
      summary: 'One reservation with its codes and counts',
      params: oneParams, response: z.object({ reservation: reservationView }),
      handler: ({ params, principal }) => ({ reservation: toReservationView(satellite.reservations.get(vaOf(principal, params), params.productInstanceId)) }),
    }),
    defineRoute({
      method: 'put', path: one, tag: TAG, access: 'operator',
      summary: 'Update an SLR reservation: a new authorization code; IN_TRANSIT (holding the larger counts) until confirmed',
      params: oneParams, body: z.object({ licenses: z.array(licenseAskSchema).max(100) }), response: issuedCodesSchema,
      handler: ({ params, body, principal }) => {
        const code = satellite.reservations.update(vaOf(principal, params), params.productInstanceId, asks(body.licenses), actorOf(principal));
        return { status: 'SUCCESS' as const, authorizationCodes: [code] };
      },
    }),
    defineRoute({
      method: 'post', path: `${one}/confirm`, tag: TAG, access: 'operator',
      summary: 'Enter the confirmation code the device printed when it installed the authorization code',
      params: oneParams, body: z.object({ confirmationCode: z.string().min(1).max(64) }), response: z.object({ reservation: reservationView }),
      handler: ({ params, body, principal }) => ({
        reservation: toReservationView(satellite.reservations.confirm(vaOf(principal, params), params.productInstanceId, body.confirmationCode, actorOf(principal))),
      }),
    }),
    defineRoute({
      method: 'post', path: `${one}/return`, tag: TAG, access: 'operator',
      summary: 'Enter the device\'s return code: releases every reserved seat and removes the reserved instance',
      params: oneParams, body: z.object({ returnCode: z.string().min(1).max(256) }), response: z.object({ reservation: reservationView }),
      handler: ({ params, body, principal }) => ({
        reservation: toReservationView(satellite.reservations.returnReservation(vaOf(principal, params), params.productInstanceId, body.returnCode, actorOf(principal))),
      }),
    }),
    defineRoute({
      method: 'delete', path: one, tag: TAG, access: 'admin',
      summary: 'Remove a reservation by force (a lost device): seats released, event logged',
      params: oneParams, response: z.object({ reservation: reservationView }),
      handler: ({ params, principal }) => ({
        reservation: toReservationView(satellite.reservations.remove(vaOf(principal, params), params.productInstanceId, actorOf(principal))),
      }),
    }),
  ];
}
