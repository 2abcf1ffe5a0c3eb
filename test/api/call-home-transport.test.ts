import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { encodeCallHomeRequest } from '../../protocol/call-home-codec.js';
import { labSatellite, registerDevice, signedRequest, TAG_A, type Device, type Fixture } from '../support/satellite-fixture.js';
import { assertSoapFault, postCallHome, postCallHomeXml, type CallHomeAnswer } from '../support/call-home-client.js';
import { assertStillServes, deviceFrom, registerRequest, roomyPool, snapshot, storedResponseCount } from '../support/device-probe.js';

describe('Call Home transport (DESIGN §4.4)', () => {
  let f: Fixture;
  let witness: Device;
  beforeAll(async () => {
    f = await labSatellite();
    roomyPool(f);
    witness = await registerDevice(f);
  });
  afterAll(() => f.app.close());

  function authorizeXml(device: Device, count = 1): string {
    return encodeCallHomeRequest({
      envelopeText: signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count }] }),
      messageType: 'AUTHORIZE', now: f.clock.now(), messageId: `M${randomUUID()}`,
    });
  }

  function assertAnswered(answer: CallHomeAnswer, sessionMessageId: string, type: string): void {
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.inReplyTo, sessionMessageId);
    assert.equal(answer.subType, `${type}_RESPONSE`);
    assert.equal(answer.message?.type, `${type}_RESPONSE`);
  }

  /** A document the satellite must not read: HTTP 400 with a SOAP Fault, nothing written, still serving. */
  async function fault(xml: string, status = 400, contentType: string | null = 'application/soap+xml'): Promise<CallHomeAnswer> {
    const state = snapshot(f);
    const stored = storedResponseCount(f);
    const answer = await postCallHomeXml(f.app, xml, contentType);
    assertSoapFault(answer, status);
    assert.deepEqual(snapshot(f), state);
    assert.equal(storedResponseCount(f), stored);
    await assertStillServes(f, witness);
    const again = await postCallHomeXml(f.app, authorizeXml(witness));
    assert.equal(again.message?.status, 'OK', again.text);
    return answer;
  }

  for (const [encoding, contentType] of [['plain', 'application/soap+xml'], ['base64', 'text/xml']] as const) {
    it(`registers and authorizes a device with ${encoding} attachments over ${contentType}`, async () => {
      const req = await registerRequest(f);
      const registered = await postCallHome(f.app, req.text, { messageType: 'REGISTER', encoding, contentType });
      assertAnswered(registered, registered.sessionMessageId, 'REGISTER');
      assert.match(registered.contentType, /^application\/soap\+xml/);
      assert.match(registered.text, /aml-block:Attachment type="inline"/);
      const device = deviceFrom(registered.message, req);
      assert.deepEqual(registered.message?.body.certificate_chain, [f.app.satellite.pki.signingCertificatePem, f.app.rootCertificatePem]);

      const usage = snapshot(f).usageA.authorized;
      const authorized = await postCallHome(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 2 }] }),
        { messageType: 'AUTHORIZE', encoding, contentType });
      assertAnswered(authorized, authorized.sessionMessageId, 'AUTHORIZE');
      assert.equal(authorized.message?.status, 'OK');
      assert.equal(authorized.message.body.authorization?.status, 'AUTHORIZED');
      assert.equal(snapshot(f).usageA.authorized, usage + 2);
      await assertStillServes(f, device);
    });
  }

  it('answers a SOAP 1.1 request in SOAP 1.1', async () => {
    const answer = await postCallHome(f.app, signedRequest(f, witness, 'AUTHORIZE', { entitlements: [] }),
      { messageType: 'AUTHORIZE', soapVersion: '1.1', contentType: 'text/xml' });
    assertAnswered(answer, answer.sessionMessageId, 'AUTHORIZE');
    assert.match(answer.contentType, /^text\/xml/);
    assert.match(answer.text, /http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\//);
    assert.equal(answer.message?.body.authorization?.status, 'NO_LICENSES_IN_USE');
  });

  it('carries protocol refusals as a signed FAILED envelope in a 200 SOAP answer', async () => {
    const state = snapshot(f);
    const req = await registerRequest(f, { token: randomBytes(48).toString('base64url') });
    const answer = await postCallHome(f.app, req.text, { messageType: 'REGISTER', encoding: 'base64' });
    assertAnswered(answer, answer.sessionMessageId, 'REGISTER');
    assert.equal(answer.message?.status, 'FAILED');
    assert.equal(answer.message.error?.code, 'TOKEN_INVALID');
    assert.deepEqual(snapshot(f), state);
  });

  it('answers a retried message with the same signed envelope, acting once', async () => {
    const device = await registerDevice(f);
    const text = signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 3 }] });
    const first = await postCallHome(f.app, text, { messageType: 'AUTHORIZE' });
    const state = snapshot(f);
    const retry = await postCallHome(f.app, text, { messageType: 'AUTHORIZE', encoding: 'base64' });
    assert.equal(retry.envelopeText, first.envelopeText);
    assert.deepEqual(snapshot(f), state);
  });

  describe('hostile and malformed documents', () => {
    const withDtd = (dtd: string, xml: string): string => xml.replace('<?xml version="1.0" encoding="UTF-8"?>', `<?xml version="1.0" encoding="UTF-8"?>\n${dtd}`);

    it('refuses a document with a DTD', async () => {
      const xml = withDtd('<!DOCTYPE soap-env:Envelope []>', authorizeXml(witness));
      await fault(xml);
    });

    it('refuses an external entity (XXE) without reading it', async () => {
      const xml = withDtd('<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', authorizeXml(witness))
        .replace(/<aml-session:From>[^<]*<\/aml-session:From>/, '<aml-session:From>&xxe;</aml-session:From>');
      assert.match(xml, /&xxe;/);
      const answer = await fault(xml);
      assert.doesNotMatch(answer.text, /root:/);
    });

    it('refuses a billion-laughs document', async () => {
      const entities = ['<!ENTITY lol "lol">'];
      for (let i = 1; i <= 9; i += 1) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
      const xml = withDtd(`<!DOCTYPE lolz [${entities.join('')}]>`, authorizeXml(witness))
        .replace(/<aml-session:From>[^<]*<\/aml-session:From>/, '<aml-session:From>&lol9;</aml-session:From>');
      await fault(xml);
    });

    it('refuses an entity declaration smuggled without a DOCTYPE keyword', async () => {
      await fault(authorizeXml(witness).replace('<soap-env:Header>', '<!ENTITY x "y"><soap-env:Header>'));
    });

    const malformed: Array<[string, (valid: string) => string]> = [
      ['a truncated document', (valid) => valid.slice(0, Math.floor(valid.length / 2))],
      ['mismatched end tags', (valid) => valid.replace('</soap-env:Body>', '</soap-env:Bod>')],
      ['text that is not XML', () => 'hello, satellite'],
      ['an empty body', () => ''],
      ['a JSON envelope sent as XML', () => signedRequest(f, witness, 'AUTHORIZE', { entitlements: [] })],
      ['a root that is not a SOAP envelope', () => '<?xml version="1.0"?><note xmlns="urn:x">hi</note>'],
      ['no smart-licensing attachment', (valid) => valid.replace('<aml-block:Name>smart-licensing</aml-block:Name>', '<aml-block:Name>other</aml-block:Name>')],
      ['an attachment that is not a JSON envelope', (valid) => valid.replace(/<!\[CDATA\[[\s\S]*\]\]>/, '<![CDATA[{"payload": ]]>')],
      ['an attachment that is not valid base64', (valid) => valid.replace(/encoding="plain"><!\[CDATA\[[\s\S]*\]\]>/, 'encoding="base64">@@@@')],
    ];
    for (const [name, make] of malformed) {
      it(`answers ${name} with a 400 SOAP Fault`, async () => {
        const valid = authorizeXml(witness);
        const xml = make(valid);
        assert.notEqual(xml, valid);
        await fault(xml);
      });
    }

    it('answers a wrong or missing content type with a 415 SOAP Fault', async () => {
      for (const type of ['application/json', 'text/plain', null]) await fault(authorizeXml(witness), 415, type);
    });
  });
});
