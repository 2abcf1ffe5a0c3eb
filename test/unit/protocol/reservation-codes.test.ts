import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, it } from 'vitest';
import { base58Groups } from '../../../protocol/reservation/base58-groups.js';
import {
  confirmationCodeFor, formatPlrAuthorizationCode, plrSignedText, readPlrAuthorizationCode, returnCodeFor, sameCode,
} from '../../../protocol/reservation/reservation-codes.js';
import { ReservationCodeError } from '../../../protocol/reservation/reservation-code-error.js';
import { formatReservationRequestCode, parseReservationRequestCode } from '../../../protocol/reservation/reservation-request-code.js';
import {
  formatSlrAuthorizationCode, parseSlrAuthorizationCode, slrSignedText, type SlrAuthorization,
} from '../../../protocol/reservation/slr-authorization-code.js';

const refusal = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof ReservationCodeError && pattern.test(e.reason));

describe('reservation request codes (DESIGN §9.1)', () => {
  it('reads the IOS-XE sample', () => {
    const code = parseReservationRequestCode('  CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-86 \n');
    assert.deepEqual(code, {
      code: 'CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-86', shape: 'IOS_XE', pid: 'C9300-24UX', serialNumber: 'FCW2134L0RN',
      vid: null, hostIdentifier: null, token: 'AK9A6sMTr',
    });
  });

  it('reads both Expressway samples, with and without the P marker', () => {
    const cb = parseReservationRequestCode('CB-PExpressway,S08F8FF3C,V1.0,H320aa69d-A7C3vjcf-AE');
    assert.deepEqual([cb.shape, cb.pid, cb.serialNumber, cb.vid, cb.hostIdentifier, cb.token],
      ['UDI_FIELDS', 'Expressway', '08F8FF3C', '1.0', '320aa69d', 'A7C3vjcf']);
    const ch = parseReservationRequestCode('CH-Expressway,S0B070519,V1.0,H320ac19c-A7C3vjcf-26');
    assert.deepEqual([ch.pid, ch.serialNumber, ch.vid, ch.hostIdentifier], ['Expressway', '0B070519', '1.0', '320ac19c']);
  });

  it('names what is wrong with malformed, truncated and foreign codes', () => {
    refusal(() => parseReservationRequestCode(''), /empty/);
    refusal(() => parseReservationRequestCode('CB-ZC9300-24UX:FCW2134L0RN-AK9A6s'), /end with .*truncated/);
    refusal(() => parseReservationRequestCode('CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-8'), /truncated/);
    refusal(() => parseReservationRequestCode('ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-86'), /two letters/);
    refusal(() => parseReservationRequestCode('CB-ZC9300-24UX-AK9A6sMTr-86'), /Z<pid>:<serial>/);
    refusal(() => parseReservationRequestCode('CB-PExpressway,S08F8FF3C,V1.0-A7C3vjcf-AE'), /4 fields/);
    refusal(() => parseReservationRequestCode('CB-PExpressway,X08F8FF3C,V1.0,H320aa69d-A7C3vjcf-AE'), /serial number field .*"S"/);
    refusal(() => parseReservationRequestCode('CB-ZC9300:FCW 2134-AK9A6sMTr-86'), /characters/);
    refusal(() => parseReservationRequestCode('CB-C9300:FCW2134-AK9A6sMTr-86'), /carries no UDI/);
    refusal(() => parseReservationRequestCode('<specificPLR></specificPLR>'), /authorization code \(XML\), not a request code/);
    refusal(() => parseReservationRequestCode(`CB-Z${'A'.repeat(600)}:X-AK9A6sMTr-86`), /longer than 512/);
  });

  it('formats our agent\'s code in the IOS-XE shape with a SHA-256 tail, and reads it back', () => {
    const code = formatReservationRequestCode({ pid: 'C9300-24UX', serialNumber: 'FCW2134L0RN' }, Uint8Array.from([1, 2, 3, 4, 5, 6]));
    // bs58([1..6]) and the first byte of sha256("CB-ZC9300-24UX:FCW2134L0RN-W7LcTy7"), computed independently.
    assert.equal(code, 'CB-ZC9300-24UX:FCW2134L0RN-W7LcTy7-3E');
    assert.equal(parseReservationRequestCode(code).serialNumber, 'FCW2134L0RN');
  });
});

const authorization: SlrAuthorization = {
  piid: '7c1e2a7e-58bb-4a35-9b65-0c6d1b2b7f10',
  timestamp: 1795430400000,
  entitlements: [
    { tag: 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0', count: 4, startDate: '2026-01-01', endDate: '', licenseType: 'PERPETUAL',
      displayName: 'UCM Enhanced', tagDescription: 'A & B <C>', subscriptionId: '' },
  ],
  udi: { pid: 'C9300-24UX', serialNumber: 'FCW2134L0RN' },
};

describe('SLR authorization code (DESIGN §9.1)', () => {
  it('has the element order of the CUCM sample, no whitespace and no declaration', () => {
    assert.equal(slrSignedText(authorization),
      '<authorizationCode><flag>A</flag><version>C</version><piid>7c1e2a7e-58bb-4a35-9b65-0c6d1b2b7f10</piid>'
      + '<timestamp>1795430400000</timestamp><entitlements><entitlement><tag>regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0</tag>'
      + '<count>4</count><startDate>2026-01-01</startDate><endDate></endDate><licenseType>PERPETUAL</licenseType>'
      + '<displayName>UCM Enhanced</displayName><tagDescription>A &amp; B &lt;C&gt;</tagDescription><subscriptionID></subscriptionID>'
      + '</entitlement></entitlements></authorizationCode>');
    const code = formatSlrAuthorizationCode(authorization, () => 'c2ln');
    assert.equal(code, `<specificPLR>${slrSignedText(authorization)}<signature>c2ln</signature><udi>P:C9300-24UX,S:FCW2134L0RN</udi></specificPLR>`);
  });

  it('signs the exact <authorizationCode> bytes, and reads the code back', () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const code = formatSlrAuthorizationCode(authorization, (text) => sign('sha256', Buffer.from(text, 'utf8'), keys.privateKey).toString('base64'));
    const parsed = parseSlrAuthorizationCode(code);
    assert.equal(parsed.signedText, slrSignedText(authorization));
    assert.ok(verify('sha256', Buffer.from(parsed.signedText, 'utf8'), keys.publicKey, Buffer.from(parsed.signature, 'base64')));
    assert.deepEqual({ piid: parsed.piid, timestamp: parsed.timestamp, entitlements: parsed.entitlements, udi: parsed.udi },
      { piid: authorization.piid, timestamp: authorization.timestamp, entitlements: authorization.entitlements, udi: authorization.udi });
  });

  it('refuses DTDs and entity declarations before parsing', () => {
    const xxe = '<!DOCTYPE specificPLR [<!ENTITY x SYSTEM "file:///etc/passwd">]><specificPLR>&x;</specificPLR>';
    refusal(() => parseSlrAuthorizationCode(xxe), /DTD declarations are not allowed/);
    refusal(() => parseSlrAuthorizationCode('<specificPLR><authorizationCode>&x;</authorizationCode></specificPLR>'), /undefined entity/);
    refusal(() => parseSlrAuthorizationCode('<specificPLR><authorizationCode>'), /not valid XML/);
    refusal(() => parseSlrAuthorizationCode('<other/>'), /<specificPLR>/);
  });
});

describe('PLR, confirmation and return codes (DESIGN §9.1)', () => {
  it('groups base58 in sixes, the last group shorter', () => {
    assert.equal(base58Groups(Buffer.from('The quick brown fox jumps', 'utf8')), 'axuf8U-rJyXsU-8m8iCV-yCWB7Z-MTtwyh-Lkkr');
  });

  it('makes a PLR code of the 64-byte raw signature over "PLR|<request code>" that verifies', () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const request = 'CB-PExpressway,S08F8FF3C,V1.0,H320aa69d-A7C3vjcf-AE';
    const raw = sign('sha256', Buffer.from(plrSignedText(request), 'utf8'), { key: keys.privateKey, dsaEncoding: 'ieee-p1363' });
    assert.equal(raw.length, 64);
    const code = formatPlrAuthorizationCode(raw);
    assert.match(code, /^([1-9A-HJ-NP-Za-km-z]{6}-)+[1-9A-HJ-NP-Za-km-z]{1,6}$/);
    const read = readPlrAuthorizationCode(code);
    assert.ok(read);
    assert.ok(verify('sha256', Buffer.from(`PLR|${request}`, 'utf8'), { key: keys.publicKey, dsaEncoding: 'ieee-p1363' }, read));
    assert.equal(readPlrAuthorizationCode('CAVfS8-tqmsHn'), null);
    assert.equal(readPlrAuthorizationCode('0OIl-xxxxxx'), null);
  });

  it('derives confirmation and return codes from the exact code text (fixed vectors)', () => {
    assert.equal(confirmationCodeFor('CAVfS8-tqmsHn-ntioqo-Z8Q4wK-jsddDU-3YkM'), '9881c5d2');
    assert.equal(returnCodeFor('CAVfS8-tqmsHn-ntioqo-Z8Q4wK-jsddDU-3YkM'), '4vuy1X-HrQi6t-Qm6pUk-MYWk7n-4Snp9B-LNko7P-C1ubqU-nD');
    assert.ok(sameCode('ab-cd ', 'abcd'));
  });
});
