import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { describe, it } from 'vitest';
import { CODE_MISMATCH_MESSAGE, DeviceReservation, MemoryAgentStateStore, ReservationRefusedError } from '../../../agent/index.js';
import { generatePkiMaterial } from '../../../licensing/pki/pki-material.js';
import { SatellitePki } from '../../../licensing/pki/satellite-pki.js';
import { defaultLicensingTimers } from '../../../licensing/shared/licensing-timers.js';
import { confirmationCodeFor, formatPlrAuthorizationCode, plrSignedText, returnCodeFor } from '../../../protocol/reservation/reservation-codes.js';
import { parseReservationRequestCode } from '../../../protocol/reservation/reservation-request-code.js';
import { formatSlrAuthorizationCode } from '../../../protocol/reservation/slr-authorization-code.js';
import { createPrivateKey } from 'node:crypto';

const now = Date.UTC(2026, 10, 23);
const material = await generatePkiMaterial({ now, hostNames: ['localhost'] });
const other = await generatePkiMaterial({ now, hostNames: ['localhost'] });
const pki = await SatellitePki.load(material, { timers: defaultLicensingTimers });
const chain = pki.certificateChain.join('\n');
const otherChain = [other.signingCertificatePem, other.rootCertificatePem].join('\n');
const refused = (pattern: RegExp | string) => (e: unknown) => e instanceof ReservationRefusedError && (typeof pattern === 'string' ? e.message === pattern : pattern.test(e.message));

const slrFor = (pid: string, serial: string, count = 3) => formatSlrAuthorizationCode({
  piid: '0f0e3c5e-9a3b-4c1e-8a51-6b7e0d2c9a11', timestamp: now, udi: { pid, serialNumber: serial },
  entitlements: [{ tag: 'regid.x', count, startDate: '', endDate: '', licenseType: 'PERPETUAL', displayName: 'X', tagDescription: '', subscriptionId: '' }],
}, (text) => pki.sign(text));
const plrFor = (requestCode: string) => formatPlrAuthorizationCode(
  sign('sha256', Buffer.from(plrSignedText(requestCode), 'utf8'), { key: createPrivateKey(material.signingKeyPem), dsaEncoding: 'ieee-p1363' }),
);

async function requested(): Promise<{ device: DeviceReservation; store: MemoryAgentStateStore; code: string }> {
  const store = new MemoryAgentStateStore();
  const device = new DeviceReservation(store, () => now);
  const code = await device.request({ pid: 'C9300-24UX', serial: 'FCW2134L0RN' }, { productTag: 'regid.c9300' });
  return { device, store, code };
}

describe('device reservation (agent)', () => {
  it('makes an IOS-XE request code for its UDI and repeats it until it is used', async () => {
    const { device, code } = await requested();
    const parsed = parseReservationRequestCode(code);
    assert.deepEqual([parsed.pid, parsed.serialNumber, parsed.shape], ['C9300-24UX', 'FCW2134L0RN', 'IOS_XE']);
    assert.equal(await device.request(null, { productTag: 'regid.c9300' }), code);
  });

  it('installs an SLR code signed by the chain and prints the confirmation code of its exact text', async () => {
    const { device, store } = await requested();
    const code = slrFor('C9300-24UX', 'FCW2134L0RN');
    const installed = await device.install(code, chain);
    assert.equal(installed.confirmation_code, confirmationCodeFor(code));
    assert.deepEqual(installed.entitlements, [{ tag: 'regid.x', count: 3 }]);
    assert.equal((await store.readState())?.reservation?.authorization?.code, code);
    assert.equal(await device.returnInstalled(), returnCodeFor(code));
    assert.equal((await store.readState())?.reservation, null);
  });

  it('refuses a code for another UDI with the seed\'s message, and changes nothing', async () => {
    const { device, store } = await requested();
    const before = await store.readState();
    await assert.rejects(device.install(slrFor('C9300-24UX', 'FCW0000XXXX'), chain), refused(CODE_MISMATCH_MESSAGE));
    await assert.rejects(device.install(plrFor('CB-ZC9300-24UX:FCW0000XXXX-AK9A6sMTr-86'), chain), refused(new RegExp(`^${CODE_MISMATCH_MESSAGE}`)));
    assert.deepEqual(await store.readState(), before);
  });

  it('refuses a tampered code, a code of another satellite and a chain in the wrong order', async () => {
    const { device } = await requested();
    const tampered = slrFor('C9300-24UX', 'FCW2134L0RN').replace('<count>3</count>', '<count>30</count>');
    await assert.rejects(device.install(tampered, chain), refused(/not signed by the satellite/));
    await assert.rejects(device.install(slrFor('C9300-24UX', 'FCW2134L0RN'), otherChain), refused(/not signed by the satellite/));
    await assert.rejects(device.install(slrFor('C9300-24UX', 'FCW2134L0RN'), pki.certificateChain.slice().reverse().join('\n')), refused(/not issued by the second/));
    await assert.rejects(device.install('<!DOCTYPE x [<!ENTITY e "x">]><specificPLR/>', chain), refused(/DTD/));
  });

  it('installs a PLR code made for its own request code', async () => {
    const { device, code } = await requested();
    const plr = plrFor(code);
    const installed = await device.install(plr, chain);
    assert.equal(installed.type, 'UNIVERSAL');
    assert.equal(installed.confirmation_code, confirmationCodeFor(plr));
  });

  it('gives the return code of a code that was never installed, only for its own UDI', async () => {
    const { device } = await requested();
    const code = slrFor('C9300-24UX', 'FCW2134L0RN');
    assert.equal(await device.returnAuthorization(code), returnCodeFor(code));
    await assert.rejects(device.returnAuthorization(slrFor('C9300-24UX', 'FCW0000XXXX')), refused(CODE_MISMATCH_MESSAGE));
  });

  it('cancels a pending request but not an installed code', async () => {
    const { device, code } = await requested();
    assert.equal(await device.cancel(), code);
    await assert.rejects(device.cancel(), refused(/No reservation request is pending/));
    const again = await device.request(null, { productTag: 'regid.c9300' });
    assert.notEqual(again, code);
    await device.install(slrFor('C9300-24UX', 'FCW2134L0RN'), chain);
    await assert.rejects(device.cancel(), refused(/return it/));
  });
});
