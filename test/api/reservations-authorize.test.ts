import assert from 'node:assert/strict';
import request from 'supertest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { post, registerDevice, signedRequest } from '../support/satellite-fixture.js';
import { airGappedDevice, poolOf, RESERVATIONS, reservationSatellite, TAG_A, TAG_B, type ReservationFixture } from '../support/reservation-kit.js';

let f: ReservationFixture;
beforeAll(async () => {
  f = await reservationSatellite();
});
afterAll(() => f.app.close());

const authorize = async (device: Awaited<ReturnType<typeof registerDevice>>, entitlements: Array<{ tag: string; count: number }>) => {
  const res = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements }));
  const body = res.message?.body as { authorization?: { status: string; entitlements: Array<{ tag: string; requested: number; status: string }> } } | undefined;
  assert.ok(body?.authorization, res.text);
  return body.authorization;
};

describe('AUTHORIZE from a reserved UDI (DESIGN §9.2)', () => {
  it('answers RESERVED_AUTHORIZED within the reservation, NOT_AUTHORIZED beyond it, and never counts twice', async () => {
    const serial = 'FCW2134RSV1';
    // The device first registers and uses 2 seats the usual way; then the admin reserves 4 for its UDI.
    const device = await registerDevice(f, { udi: { udi_pid: 'C9300-24UX', udi_serial_number: serial, udi_vid: 'V02' } });
    assert.equal((await authorize(device, [{ tag: TAG_A, count: 2 }])).status, 'AUTHORIZED');
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 2, reserved: 0, balance: 8 });
    const { requestCode } = await airGappedDevice(serial);
    const res = await request(f.app).post(RESERVATIONS).set('authorization', f.operator)
      .send({ reservationRequests: [{ reservationCode: requestCode, licenses: [{ entitlementTag: TAG_A, quantity: 4 }] }] });
    assert.equal(res.status, 200, res.text);
    // The reservation reuses the registered instance: its id is the device's.
    assert.equal(res.body.authorizationCodes[0].productInstanceId, device.instanceId);
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 6, reserved: 4, balance: 4 });

    const within = await authorize(device, [{ tag: TAG_A, count: 3 }, { tag: TAG_B, count: 1 }]);
    assert.deepEqual(within.entitlements.map((e) => [e.tag, e.requested, e.status]), [[TAG_A, 3, 'RESERVED_AUTHORIZED'], [TAG_B, 1, 'NOT_AUTHORIZED']]);
    // Its earlier 2 seats went back to the pool; the reserved 4 cover its report, which adds nothing.
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 4, reserved: 4, balance: 6 });
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_B), { inUse: 0, reserved: 0, balance: 2 });

    const beyond = await authorize(device, [{ tag: TAG_A, count: 5 }]);
    assert.deepEqual(beyond.entitlements.map((e) => [e.tag, e.status]), [[TAG_A, 'NOT_AUTHORIZED']]);
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 4, reserved: 4, balance: 6 });

    // DEREGISTER leaves the reservation in place: the seats stay reserved until returned or removed.
    await post(f.app, signedRequest(f, device, 'DEREGISTER', {}));
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 4, reserved: 4, balance: 6 });
    await request(f.app).get(`${RESERVATIONS}/${device.instanceId}`).set('authorization', f.viewer).expect(200);
    await request(f.app).delete(`${RESERVATIONS}/${device.instanceId}`).set('authorization', f.admin).expect(200);
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 0, reserved: 0, balance: 10 });
  });

  it('makes a reserved UDI that registers its RESERVED instance, now a DEVICE, and grants the usual way once the reservation is gone', async () => {
    const serial = 'FCW2134RSV2';
    const { requestCode } = await airGappedDevice(serial);
    const res = await request(f.app).post(RESERVATIONS).set('authorization', f.operator)
      .send({ reservationRequests: [{ reservationCode: requestCode, licenses: [{ entitlementTag: TAG_A, quantity: 1 }] }] });
    const id = res.body.authorizationCodes[0].productInstanceId as string;
    const device = await registerDevice(f, { udi: { udi_pid: 'C9300-24UX', udi_serial_number: serial, udi_vid: 'V02' } });
    assert.equal(device.instanceId, id);
    const instance = async () => (await request(f.app).get(`/backend/api/v1/accounts/Acme/product-instances/${id}`).set('authorization', f.viewer).expect(200))
      .body.productInstance as { kind: string; registrationState: string; reservation: { status: string } | null };
    assert.deepEqual(await instance().then((i) => [i.kind, i.registrationState, i.reservation?.status]), ['DEVICE', 'REGISTERED', 'RESERVED']);
    assert.equal((await authorize(device, [{ tag: TAG_A, count: 1 }])).entitlements[0]?.status, 'RESERVED_AUTHORIZED');
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 1, reserved: 1, balance: 9 });
    await request(f.app).delete(`${RESERVATIONS}/${id}`).set('authorization', f.admin).expect(200);
    // The device keeps its instance; only the reservation is gone.
    assert.deepEqual(await instance().then((i) => [i.kind, i.registrationState, i.reservation]), ['DEVICE', 'REGISTERED', null]);
    assert.equal((await authorize(device, [{ tag: TAG_A, count: 1 }])).entitlements[0]?.status, 'AUTHORIZED');
    assert.deepEqual(await poolOf(f.app, f.viewer, TAG_A), { inUse: 1, reserved: 0, balance: 9 });
  });
});
