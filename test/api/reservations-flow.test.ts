import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { bearerFor } from '../support/admin-auth.js';
import { parseSlrAuthorizationCode } from '../../protocol/reservation/slr-authorization-code.js';
import {
  airGappedDevice, poolOf, RESERVATIONS, reservationSatellite, TAG_A, TAG_B, type ReservationFixture,
} from '../support/reservation-kit.js';

let f: ReservationFixture;
const dir = mkdtempSync(join(tmpdir(), 'reservation-api-'));
beforeAll(async () => {
  f = await reservationSatellite();
});
afterAll(() => {
  f.app.close();
  rmSync(dir, { recursive: true, force: true });
});

const reserve = (auth: string, reservationCode: string, licenses: unknown[], reservationType = 'SPECIFIC') =>
  request(f.app).post(RESERVATIONS).set('authorization', auth).send({ reservationRequests: [{ reservationCode, reservationType, licenses }] });

describe('SLR through the admin API (DESIGN §9)', () => {
  it('reserves, installs on the device, confirms, updates, and returns; the pool follows every step', async () => {
    const { device, requestCode } = await airGappedDevice('FCW2134L0RN');
    const res = await reserve(f.operator, requestCode, [{ entitlementTag: TAG_A, quantity: 4 }]);
    assert.equal(res.status, 200, res.text);
    const [issued] = res.body.authorizationCodes as Array<{ productInstanceId: string; authorizationCode: string; status: string; reservationCode: string }>;
    assert.ok(issued);
    assert.deepEqual([res.body.status, issued.status, issued.reservationCode], ['SUCCESS', 'RESERVED', requestCode]);
    const code = parseSlrAuthorizationCode(issued.authorizationCode);
    assert.equal(code.piid, issued.productInstanceId);
    assert.deepEqual(code.udi, { pid: 'C9300-24UX', serialNumber: 'FCW2134L0RN' });
    assert.deepEqual(code.entitlements.map((e) => [e.tag, e.count, e.displayName, e.licenseType, e.startDate, e.endDate]),
      [[TAG_A, 4, 'UCM Enhanced', 'PERPETUAL', new Date(f.clock.now()).toISOString().slice(0, 10), '']]);
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 4, reserved: 4, balance: 6 });

    // The real openssl, with the signing certificate of GET /pki/chain.pem, checks the satellite's signature.
    writeFileSync(join(dir, 'chain.pem'), f.chain);
    writeFileSync(join(dir, 'signed.txt'), code.signedText);
    writeFileSync(join(dir, 'sig.der'), Buffer.from(code.signature, 'base64'));
    execFileSync('openssl', ['x509', '-in', 'chain.pem', '-pubkey', '-noout', '-out', 'pub.pem'], { cwd: dir });
    assert.match(execFileSync('openssl', ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig.der', 'signed.txt'], { cwd: dir, encoding: 'utf8' }), /Verified OK/);

    const instances = await request(f.app).get('/backend/api/v1/accounts/Acme/product-instances').set('authorization', f.viewer).expect(200);
    const reserved = (instances.body.productInstances as Array<{ id: string; kind: string; reservation: unknown }>).find((i) => i.id === issued.productInstanceId);
    assert.deepEqual(reserved && { kind: reserved.kind, reservation: reserved.reservation },
      { kind: 'RESERVED', reservation: { reservationType: 'SPECIFIC', status: 'RESERVED', licenses: [{ entitlementTag: TAG_A, reserved: 4 }] } });

    const installed = await device.install(issued.authorizationCode, f.chain);
    const confirmed = await request(f.app).post(`${RESERVATIONS}/${issued.productInstanceId}/confirm`).set('authorization', f.operator)
      .send({ confirmationCode: installed.confirmation_code });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.body.reservation.status, 'RESERVED');
    assert.notEqual(confirmed.body.reservation.confirmedAt, null);

    // Update to 6: in transit, the pool holds max(4, 6); a second update to 2 replaces it and holds max(4, 2).
    const up = await request(f.app).put(`${RESERVATIONS}/${issued.productInstanceId}`).set('authorization', f.operator)
      .send({ licenses: [{ entitlementTag: TAG_A, quantity: 6 }] });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.body.authorizationCodes[0].status, 'IN_TRANSIT');
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 6, reserved: 6, balance: 4 });
    const firstUpdate = await device.install(up.body.authorizationCodes[0].authorizationCode as string, f.chain);
    const down = await request(f.app).put(`${RESERVATIONS}/${issued.productInstanceId}`).set('authorization', f.operator)
      .send({ licenses: [{ entitlementTag: TAG_A, quantity: 2 }, { entitlementTag: TAG_B, quantity: 1 }] });
    assert.equal(down.status, 200, down.text);
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 4, reserved: 4, balance: 6 });
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_B), { inUse: 1, reserved: 1, balance: 1 });
    const replaced = await request(f.app).post(`${RESERVATIONS}/${issued.productInstanceId}/confirm`).set('authorization', f.operator)
      .send({ confirmationCode: firstUpdate.confirmation_code });
    assert.equal(replaced.status, 400, replaced.text);
    assert.match(replaced.body.error.message, /does not match the authorization code/);

    const second = await device.install(down.body.authorizationCodes[0].authorizationCode as string, f.chain);
    const applied = await request(f.app).post(`${RESERVATIONS}/${issued.productInstanceId}/confirm`).set('authorization', f.operator)
      .send({ confirmationCode: second.confirmation_code });
    assert.equal(applied.status, 200, applied.text);
    assert.deepEqual(applied.body.reservation.licenses, [
      { entitlementTag: TAG_A, quantity: 2, pendingQuantity: null, reserved: 2 },
      { entitlementTag: TAG_B, quantity: 1, pendingQuantity: null, reserved: 1 },
    ]);
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 2, reserved: 2, balance: 8 });

    const list = await request(f.app).get(RESERVATIONS).set('authorization', f.viewer).expect(200);
    assert.deepEqual((list.body.reservations as Array<{ productInstanceId: string }>).map((r) => r.productInstanceId), [issued.productInstanceId]);

    const returnCode = await device.returnInstalled();
    const returned = await request(f.app).post(`${RESERVATIONS}/${issued.productInstanceId}/return`).set('authorization', f.operator).send({ returnCode });
    assert.equal(returned.status, 200, returned.text);
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 0, reserved: 0, balance: 10 });
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_B), { inUse: 0, reserved: 0, balance: 2 });
    await request(f.app).get(`${RESERVATIONS}/${issued.productInstanceId}`).set('authorization', f.viewer).expect(404);
    await request(f.app).get(`/backend/api/v1/accounts/Acme/product-instances/${issued.productInstanceId}`).set('authorization', f.viewer).expect(404);

    const events = await request(f.app).get('/backend/api/v1/accounts/Acme/events').set('authorization', f.viewer).expect(200);
    const types = (events.body.events as Array<{ type: string }>).map((e) => e.type);
    for (const type of ['ACCOUNT_RESERVATION_CHANGED', 'RESERVATION_CREATED', 'RESERVATION_CONFIRMED', 'RESERVATION_UPDATED', 'RESERVATION_RETURNED']) {
      assert.ok(types.includes(type), `${type} in ${types.join(',')}`);
    }
  });

  it('reserves one PLR seat; the device installs it, and a forced removal by an admin frees it', async () => {
    const { device, requestCode } = await airGappedDevice('FCW2200PLR1');
    const res = await reserve(f.operator, requestCode, [{ entitlementTag: TAG_B }], 'UNIVERSAL');
    assert.equal(res.status, 200, res.text);
    const [issued] = res.body.authorizationCodes as Array<{ productInstanceId: string; authorizationCode: string }>;
    assert.ok(issued);
    assert.match(issued.authorizationCode, /^([1-9A-HJ-NP-Za-km-z]{6}-)+[1-9A-HJ-NP-Za-km-z]{1,6}$/);
    assert.equal((await device.install(issued.authorizationCode, f.chain)).type, 'UNIVERSAL');
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_B), { inUse: 1, reserved: 1, balance: 1 });
    await request(f.app).delete(`${RESERVATIONS}/${issued.productInstanceId}`).set('authorization', f.operator).expect(403);
    await request(f.app).delete(`${RESERVATIONS}/${issued.productInstanceId}`).set('authorization', f.admin).expect(200);
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_B), { inUse: 0, reserved: 0, balance: 2 });
  });

  it('lets a viewer read but not reserve, and documents every route in the OpenAPI document', async () => {
    const { requestCode } = await airGappedDevice('FCW2400VIEW');
    await reserve(f.viewer, requestCode, [{ entitlementTag: TAG_A, quantity: 1 }]).expect(403);
    await request(f.app).get(RESERVATIONS).set('authorization', f.viewer).expect(200);
    const doc = await request(f.app).get('/backend/api/docs/openapi.json').expect(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    const base = '/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/reservations';
    assert.deepEqual(Object.keys(paths[base] ?? {}).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(paths[`${base}/{productInstanceId}`] ?? {}).sort(), ['delete', 'get', 'put']);
    assert.ok(paths[`${base}/{productInstanceId}/confirm`]?.post);
    assert.ok(paths[`${base}/{productInstanceId}/return`]?.post);
  });
  it('raises RESERVATION_PENDING_CONFIRMATION 7 days after an unconfirmed update, and confirmation clears it', async () => {
    const { device, requestCode } = await airGappedDevice('FCW2300ALRT');
    const res = await reserve(f.operator, requestCode, [{ entitlementTag: TAG_A, quantity: 1 }]);
    const id = res.body.authorizationCodes[0].productInstanceId as string;
    const up = await request(f.app).put(`${RESERVATIONS}/${id}`).set('authorization', f.operator).send({ licenses: [{ entitlementTag: TAG_A, quantity: 2 }] });
    // Bearer tokens do not outlive a week of clock, so each read signs in afresh.
    const alerts = async () => ((await request(f.app).post('/backend/api/v1/accounts/Acme/alerts')
      .set('authorization', await bearerFor(f.app, { role: 'viewer' })).send({ limit: -1 })).body
      .alerts as Array<{ messageType: string }>).filter((a) => a.messageType === 'RESERVATION_PENDING_CONFIRMATION');
    f.clock.advance(7 * MS_PER_DAY - 1);
    f.app.satellite.alerts.sweep();
    assert.equal((await alerts()).length, 0);
    f.clock.advance(1);
    f.app.satellite.alerts.sweep();
    assert.equal((await alerts()).length, 1);
    const installed = await device.install(up.body.authorizationCodes[0].authorizationCode as string, f.chain);
    const operator = await bearerFor(f.app, { role: 'operator' });
    await request(f.app).post(`${RESERVATIONS}/${id}/confirm`).set('authorization', operator).send({ confirmationCode: installed.confirmation_code }).expect(200);
    assert.equal((await alerts()).length, 0);
  });

});
