import assert from 'node:assert/strict';
import request from 'supertest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CODE_MISMATCH_MESSAGE } from '../../agent/index.js';
import {
  airGappedDevice, dumpDatabase, RESERVATIONS, reservationSatellite, TAG_A, TAG_B, type ReservationFixture,
} from '../support/reservation-kit.js';

let f: ReservationFixture;
let held: { id: string; code: string; requestCode: string; device: Awaited<ReturnType<typeof airGappedDevice>>['device'] };
beforeAll(async () => {
  f = await reservationSatellite();
  const { device, requestCode } = await airGappedDevice('FCW2134HELD');
  const res = await request(f.app).post(RESERVATIONS).set('authorization', f.operator)
    .send({ reservationRequests: [{ reservationCode: requestCode, reservationType: 'SPECIFIC', licenses: [{ entitlementTag: TAG_A, quantity: 4 }] }] });
  assert.equal(res.status, 200, res.text);
  held = { id: res.body.authorizationCodes[0].productInstanceId, code: res.body.authorizationCodes[0].authorizationCode, requestCode, device };
  await device.install(held.code, f.chain);
});
afterAll(() => f.app.close());

/** Runs a refused call and shows that the database is exactly as before it. */
async function refused(call: () => request.Test, status: number, message: RegExp): Promise<Record<string, unknown>> {
  const before = dumpDatabase(f.app.satellite.db);
  const res = await call();
  assert.equal(res.status, status, res.text);
  assert.match(res.body.error.message as string, message);
  assert.deepEqual(dumpDatabase(f.app.satellite.db), before);
  return res.body.error as Record<string, unknown>;
}

const reserve = (reservationCode: string, licenses: unknown[], reservationType = 'SPECIFIC') => () =>
  request(f.app).post(RESERVATIONS).set('authorization', f.operator).send({ reservationRequests: [{ reservationCode, reservationType, licenses }] });

describe('reservation bad input: a clear 4xx and nothing written', () => {
  it('refuses malformed, truncated and foreign request codes, naming what is wrong', async () => {
    await refused(reserve('hello', [{ entitlementTag: TAG_A, quantity: 1 }]), 400, /two letters/);
    await refused(reserve('CB-ZC9300-24UX:FCW2134L0RN-AK9A6s', [{ entitlementTag: TAG_A, quantity: 1 }]), 400, /truncated/);
    await refused(reserve(held.code, [{ entitlementTag: TAG_A, quantity: 1 }]), 400, /an SLR authorization code .*not a request code/);
    await refused(reserve('CB-PExpressway,S08F8FF3C-A7C3vjcf-AE', [{ entitlementTag: TAG_A, quantity: 1 }]), 400, /4 fields/);
  });

  it('refuses a second reservation for a UDI, pointing to update', async () => {
    const error = await refused(reserve(held.requestCode, [{ entitlementTag: TAG_A, quantity: 1 }]), 409, /already holds reservation .*update it/);
    assert.deepEqual(error.details, { productInstanceId: held.id });
  });

  it('refuses quantities above the balance (409 naming license, asked, available), zero, negative and fractional (400)', async () => {
    const { requestCode } = await airGappedDevice('FCW2134NEW1');
    const error = await refused(reserve(requestCode, [{ entitlementTag: TAG_A, quantity: 7 }]), 409, /cannot reserve 7 of UCM Enhanced .*: 6 available/);
    assert.deepEqual(error.details, { tag: TAG_A, license: 'UCM Enhanced', asked: 7, available: 6 });
    await refused(reserve(requestCode, [{ entitlementTag: TAG_A, quantity: 0 }]), 400, /whole number of at least 1, got 0/);
    await refused(reserve(requestCode, [{ entitlementTag: TAG_A, quantity: -2 }]), 400, /got -2/);
    await refused(reserve(requestCode, [{ entitlementTag: TAG_A, quantity: 1.5 }]), 400, /got 1.5/);
    await refused(reserve(requestCode, [{ entitlementTag: TAG_A, quantity: 'many' }]), 400, /expected a number/);
    await refused(reserve(requestCode, [{ entitlementTag: 'regid.none', quantity: 1 }]), 400, /holds no active license regid.none/);
    await refused(reserve(requestCode, [{ entitlementTag: TAG_B, quantity: 2 }], 'UNIVERSAL'), 400, /one seat of one license/);
    await refused(reserve(requestCode, []), 400, /at least one license/);
  });

  it('reserves nothing of a batch in which one request is refused', async () => {
    const one = await airGappedDevice('FCW2134BAT1');
    const two = await airGappedDevice('FCW2134BAT2');
    await refused(() => request(f.app).post(RESERVATIONS).set('authorization', f.operator).send({ reservationRequests: [
      { reservationCode: one.requestCode, licenses: [{ entitlementTag: TAG_A, quantity: 3 }] },
      { reservationCode: two.requestCode, licenses: [{ entitlementTag: TAG_A, quantity: 4 }] },
    ] }), 409, /cannot reserve 4 of UCM Enhanced .*: 3 available/);
  });

  it('refuses an update above the balance and an update of a PLR', async () => {
    await refused(() => request(f.app).put(`${RESERVATIONS}/${held.id}`).set('authorization', f.operator)
      .send({ licenses: [{ entitlementTag: TAG_A, quantity: 11 }] }), 409, /cannot reserve 11 of UCM Enhanced .*: 10 available/);
    await refused(() => request(f.app).put(`${RESERVATIONS}/nope`).set('authorization', f.operator)
      .send({ licenses: [{ entitlementTag: TAG_A, quantity: 1 }] }), 404, /reservation 'nope' was not found/);
  });

  it('refuses wrong confirmation and return codes', async () => {
    await refused(() => request(f.app).post(`${RESERVATIONS}/${held.id}/confirm`).set('authorization', f.operator)
      .send({ confirmationCode: '00000000' }), 400, /confirmation code 00000000 does not match/);
    await refused(() => request(f.app).post(`${RESERVATIONS}/${held.id}/return`).set('authorization', f.operator)
      .send({ returnCode: 'ChWhde-okvz5f-rbr' }), 400, /return code does not match/);
    await refused(() => request(f.app).post(`${RESERVATIONS}/${held.id}/return`).set('authorization', f.operator)
      .send({}), 400, /returnCode/);
  });

  it('has the device refuse a tampered authorization code and a code for another UDI', async () => {
    const tampered = held.code.replace('<count>4</count>', '<count>9</count>');
    await assert.rejects(held.device.install(tampered, f.chain), /not signed by the satellite/);
    const other = await airGappedDevice('FCW2134OTHR');
    await assert.rejects(other.device.install(held.code, f.chain), (e: Error) => e.message === CODE_MISMATCH_MESSAGE);
  });

  it('answers 403 naming the flag when reservation is off for the account, and only an admin may turn it on', async () => {
    const off = await reservationSatellite({ enable: false });
    try {
      const { requestCode } = await airGappedDevice('FCW2134OFF1');
      const res = await request(off.app).post(RESERVATIONS).set('authorization', off.operator)
        .send({ reservationRequests: [{ reservationCode: requestCode, licenses: [{ entitlementTag: TAG_A, quantity: 1 }] }] });
      assert.equal(res.status, 403, res.text);
      assert.match(res.body.error.message as string, /reservationEnabled is false/);
      await request(off.app).patch('/backend/api/v1/accounts/Acme').set('authorization', off.operator).send({ reservationEnabled: true }).expect(403);
      const account = await request(off.app).get('/backend/api/v1/accounts/Acme').set('authorization', off.viewer).expect(200);
      assert.equal(account.body.account.reservationEnabled, false);
    } finally {
      off.app.close();
    }
  });
});
