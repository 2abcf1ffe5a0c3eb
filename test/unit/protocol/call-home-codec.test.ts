import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  CALL_HOME_NAMESPACES,
  CallHomeDecodeError,
  MAX_CALL_HOME_DOCUMENT_BYTES,
  decodeCallHomeRequest,
  encodeCallHomeRequest,
  encodeCallHomeResponse,
  encodeSoapFault,
} from '../../../protocol/call-home-codec.js';

const NOW = Date.UTC(2026, 0, 15, 8, 30, 0);
const ENVELOPE = JSON.stringify({
  payload: JSON.stringify({ version: '1.0', type: 'REGISTER', message_id: 'm-1' }),
  signature: null,
});

const { soapEnv, soap11Env, amlSession, amlBlock, callHome } = CALL_HOME_NAMESPACES;

function request(envelopeText: string, encoding: 'plain' | 'base64' = 'plain'): string {
  return encodeCallHomeRequest({ envelopeText, messageType: 'REGISTER', now: NOW, messageId: 'msg-42', encoding });
}

function rejects(xml: string, pattern: RegExp): void {
  assert.throws(
    () => decodeCallHomeRequest(xml),
    (error: unknown) => error instanceof CallHomeDecodeError && pattern.test(error.reason) && error.message === error.reason,
  );
}

/** A hand-written document so decoding is not only tested against our own encoder. */
function document(options: { root?: string; data?: string; name?: string; envNs?: string } = {}): string {
  const envNs = options.envNs ?? soapEnv;
  const data = options.data ?? `<ab:Data encoding="plain"><![CDATA[${ENVELOPE}]]></ab:Data>`;
  return `<?xml version="1.0"?>
<s:Envelope xmlns:s="${envNs}">
  <s:Header>
    <as:Session xmlns:as="${amlSession}">
      <as:To>https://satellite/x</as:To><as:From>device-a</as:From><as:MessageId>M1:abc</as:MessageId>
    </as:Session>
  </s:Header>
  <s:Body>
    <ab:Block xmlns:ab="${amlBlock}">
      <ab:Content><c:CallHome xmlns:c="${callHome}"><c:Event><c:Type>smartlicensing</c:Type><c:SubType>AUTHORIZE</c:SubType></c:Event></c:CallHome></ab:Content>
      <ab:Attachments>
        <ab:Attachment type="inline">
          <ab:Name>${options.name ?? 'smart-licensing'}</ab:Name>
          ${data}
        </ab:Attachment>
      </ab:Attachments>
    </ab:Block>
  </s:Body>
</s:Envelope>`;
}

describe('call home codec: round trips', () => {
  it('round-trips a request with a plain CDATA attachment', () => {
    const xml = request(ENVELOPE);
    assert.equal(XMLValidator.validate(xml), true);
    assert.match(xml, /encoding="plain"/);
    assert.deepEqual(decodeCallHomeRequest(xml), {
      envelopeText: ENVELOPE,
      messageId: 'msg-42',
      from: 'http://www.cisco.com/appliance/uri',
      to: '/Transportgateway/services/DeviceRequestHandler',
      subType: 'REGISTER',
      inReplyTo: null,
      soapVersion: '1.2',
    });
  });

  it('round-trips a base64 attachment', () => {
    const xml = request(ENVELOPE, 'base64');
    assert.match(xml, /encoding="base64"/);
    assert.equal(decodeCallHomeRequest(xml).envelopeText, ENVELOPE);
  });

  for (const encoding of ['plain', 'base64'] as const) {
    it(`round-trips awkward text (${encoding}): ]]>, <, &, markup look-alikes, unicode`, () => {
      const texts = [
        'a]]>b',
        ']]>',
        'ends with ]]',
        ']]]]>>]]>',
        '<tag attr="&amp;"> & &lt; </tag>',
        '<!DOCTYPE x [<!ENTITY e "boom">]> &e; <?php echo 1 ?>',
        'grüße 日本語 🔐 \u{10FFFF}',
        '  leading and trailing whitespace\n\t',
      ];
      for (const text of texts) {
        const xml = request(text, encoding);
        assert.equal(XMLValidator.validate(xml), true, text);
        assert.equal(decodeCallHomeRequest(xml).envelopeText, text, text);
      }
    });
  }

  it('falls back to base64 for text XML cannot carry verbatim', () => {
    for (const text of ['nul \u0000 here', 'crlf\r\nline', 'bell \u0007']) {
      const xml = request(text, 'plain');
      assert.match(xml, /encoding="base64"/);
      assert.equal(decodeCallHomeRequest(xml).envelopeText, text);
    }
  });

  it('escapes session fields and round-trips them', () => {
    const xml = encodeCallHomeRequest({
      envelopeText: ENVELOPE, messageType: 'A&B<C>', now: NOW, messageId: 'id<&>"\'', from: 'from & co', to: 'x]]>y',
    });
    assert.equal(XMLValidator.validate(xml), true);
    const decoded = decodeCallHomeRequest(xml);
    assert.equal(decoded.messageId, 'id<&>"\'');
    assert.equal(decoded.from, 'from & co');
    assert.equal(decoded.to, 'x]]>y');
    assert.equal(decoded.subType, 'A&B<C>');
  });

  it('round-trips a response with InReplyTo and the Call Home shape', () => {
    const xml = encodeCallHomeResponse({
      envelopeText: ENVELOPE, inReplyTo: 'msg-42', messageType: 'REGISTER_RESPONSE', now: NOW, sessionMessageId: 'resp-1',
    });
    assert.equal(XMLValidator.validate(xml), true);
    assert.match(xml, /<aml-block:Type>http:\/\/www\.cisco\.com\/2017\/01\/callhome\/smartlicensing<\/aml-block:Type>/);
    assert.match(xml, /<aml-block:CreationDate>2026-01-15 08:30:00 GMT\+00:00<\/aml-block:CreationDate>/);
    assert.match(xml, /<ch:Type>smartlicensing<\/ch:Type>/);
    assert.match(xml, /<aml-block:Attachment type="inline">/);
    const decoded = decodeCallHomeRequest(xml);
    assert.equal(decoded.envelopeText, ENVELOPE);
    assert.equal(decoded.messageId, 'resp-1');
    assert.equal(decoded.inReplyTo, 'msg-42');
    assert.equal(decoded.subType, 'REGISTER_RESPONSE');
  });

  it('answers SOAP 1.1 in SOAP 1.1 when asked to', () => {
    const xml = encodeCallHomeResponse({
      envelopeText: ENVELOPE, inReplyTo: null, messageType: 'AUTHORIZE_RESPONSE', now: NOW, sessionMessageId: 'r', soapVersion: '1.1',
    });
    assert.ok(xml.includes(soap11Env));
    assert.equal(decodeCallHomeRequest(xml).soapVersion, '1.1');
  });
});

describe('call home codec: namespaces by URI', () => {
  it('decodes a hand-written document with other prefixes', () => {
    const decoded = decodeCallHomeRequest(document());
    assert.equal(decoded.envelopeText, ENVELOPE);
    assert.equal(decoded.messageId, 'M1:abc');
    assert.equal(decoded.from, 'device-a');
    assert.equal(decoded.to, 'https://satellite/x');
    assert.equal(decoded.subType, 'AUTHORIZE');
  });

  it('decodes default namespaces, redeclared prefixes and whitespace around CDATA identically', () => {
    const xml = `<Envelope xmlns="${soapEnv}"><Header><Session xmlns="${amlSession}"><MessageId>M1:abc</MessageId></Session></Header>
      <Body><Block xmlns="${amlBlock}"><Content><CallHome xmlns="${callHome}"><Event><SubType>AUTHORIZE</SubType></Event></CallHome></Content>
      <Attachments><Attachment><Name> smart-licensing </Name><Data encoding="plain">
        <![CDATA[${ENVELOPE}]]>
      </Data></Attachment></Attachments></Block></Body></Envelope>`;
    const decoded = decodeCallHomeRequest(xml);
    assert.equal(decoded.envelopeText, ENVELOPE);
    assert.equal(decoded.messageId, 'M1:abc');
    assert.equal(decoded.subType, 'AUTHORIZE');
  });

  it('decodes plain text given as escaped character data rather than CDATA', () => {
    const escaped = ENVELOPE.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
    const decoded = decodeCallHomeRequest(document({ data: `<ab:Data encoding="plain">${escaped} &#x1F510;&#233;</ab:Data>` }));
    assert.equal(decoded.envelopeText, `${ENVELOPE} 🔐é`);
  });

  it('ignores elements whose prefix matches but whose namespace URI does not', () => {
    const wrongBlock = document().replace(`xmlns:ab="${amlBlock}"`, 'xmlns:ab="urn:not-aml-block"');
    rejects(wrongBlock, /aml-block:Block/);
    const wrongEnvelope = document({ envNs: 'urn:not-soap' });
    rejects(wrongEnvelope, /not a SOAP Envelope/);
  });

  it('accepts the SOAP 1.1 envelope namespace', () => {
    const decoded = decodeCallHomeRequest(document({ envNs: soap11Env }));
    assert.equal(decoded.soapVersion, '1.1');
    assert.equal(decoded.envelopeText, ENVELOPE);
  });

  it('refuses a Body in a different SOAP version than its Envelope', () => {
    const mixed = document().replace('<s:Body>', `<s11:Body xmlns:s11="${soap11Env}">`).replace('</s:Body>', '</s11:Body>');
    rejects(mixed, /missing SOAP Body/);
  });

  it('refuses an unbound prefix', () => {
    rejects(document().replace(` xmlns:as="${amlSession}"`, ''), /malformed XML: unbound namespace prefix "as"/);
  });
});

describe('call home codec: hostile input', () => {
  it('refuses an XXE external entity', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${document().replace(/^<\?xml[^>]*>/, '').replace('device-a', '&xxe;')}`;
    rejects(xml, /DTD/);
  });

  it('refuses billion laughs without expanding it', () => {
    const lols = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const xml = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${lols}]><lolz>&lol9;</lolz>`;
    const started = Date.now();
    rejects(xml, /DTD/);
    assert.ok(Date.now() - started < 1000);
  });

  it('refuses DOCTYPE without entities, lowercase doctype, and declarations hidden in comments or CDATA', () => {
    rejects(`<!DOCTYPE Envelope>${document().replace(/^<\?xml[^>]*>/, '')}`, /DTD declarations/);
    rejects(`<!doctype Envelope>${document().replace(/^<\?xml[^>]*>/, '')}`, /DTD declarations/);
    rejects(`\n  <!-- <![CDATA[ --><!DocType x><!-- ]]> -->${document().replace(/^<\?xml[^>]*>/, '')}`, /DTD declarations/);
    rejects(document({ data: '<ab:Data><![CDATA[<!ENTITY e "x">]]></ab:Data>' }), /entity declarations/);
    rejects(document().replace('<s:Body>', '<!-- <!entity x "y"> --><s:Body>'), /entity declarations/);
    rejects(document().replace('<s:Body>', '<!ELEMENT x ANY><s:Body>'), /DTD markup/);
  });

  it('refuses processing instructions other than the XML declaration', () => {
    rejects(`<?xml-stylesheet href="x.xsl"?>${document().replace(/^<\?xml[^>]*>/, '')}`, /processing instructions/);
    rejects(document().replace('<s:Body>', '<s:Body><?php echo 1 ?>'), /processing instructions/);
    rejects(`${document()}<?xml version="1.0"?>`, /processing instructions/);
  });

  it('refuses undefined entity references instead of leaving or expanding them', () => {
    rejects(document().replace('device-a', '&xxe;'), /undefined entity/);
    rejects(document().replace('device-a', '&#0;'), /not an XML character/);
    rejects(document().replace('device-a', 'a & b'), /malformed XML/);
  });

  it('refuses documents over 256 KiB', () => {
    const padding = `<!--${'x'.repeat(MAX_CALL_HOME_DOCUMENT_BYTES)}-->`;
    rejects(`${document()}${padding}`, /exceeds 262144 bytes/);
  });

  it('refuses absurd nesting without overflowing the stack', () => {
    rejects(`${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`, /malformed XML/);
  });
});

describe('call home codec: malformed and incomplete documents', () => {
  it('refuses malformed XML', () => {
    for (const xml of ['', '   ', 'garbage', '<s:Envelope xmlns:s="x"><s:Body>', '<a><b></a></b>', '<a/><b/>', '<a x="1<2"/>', '<a>]]></a>', '<a b/>']) {
      rejects(xml, /^malformed XML: /);
    }
  });

  it('refuses a document without Envelope or Body', () => {
    rejects(`<Envelope xmlns="urn:x"/>`, /not a SOAP Envelope/);
    rejects(`<s:Envelope xmlns:s="${soapEnv}"><s:Header/></s:Envelope>`, /missing SOAP Body/);
    rejects(`<s:Envelope xmlns:s="${soapEnv}"><s:Body/></s:Envelope>`, /missing aml-block:Block/);
  });

  it('refuses a missing or misnamed attachment', () => {
    rejects(document().replace(/<ab:Attachments>[^]*<\/ab:Attachments>/, ''), /no smart-licensing attachment/);
    rejects(document({ name: 'show version' }), /no smart-licensing attachment/);
    rejects(document({ data: '' }), /has no aml-block:Data/);
    rejects(document({ data: '<ab:Data encoding="plain">   </ab:Data>' }), /empty/);
  });

  it('refuses two smart-licensing attachments', () => {
    const attachment = /<ab:Attachment type="inline">[^]*<\/ab:Attachment>/.exec(document())?.[0] ?? '';
    rejects(document().replace(attachment, attachment + attachment), /more than one/);
  });

  it('refuses an unknown encoding or attachment type', () => {
    rejects(document({ data: '<ab:Data encoding="gzip">x</ab:Data>' }), /unsupported attachment encoding "gzip"/);
    rejects(document().replace('type="inline"', 'type="reference"'), /unsupported attachment type/);
  });

  it('validates base64 strictly', () => {
    const good = Buffer.from(ENVELOPE, 'utf8').toString('base64');
    const wrapped = good.replace(/.{60}/g, '$&\n   ');
    assert.equal(decodeCallHomeRequest(document({ data: `<ab:Data encoding="base64">\n${wrapped}\n</ab:Data>` })).envelopeText, ENVELOPE);
    for (const bad of ['not base64!', `${good}*`, 'abc', 'ab=c', 'a===', 'YQ=', 'YR==', Buffer.from([0xff, 0xfe]).toString('base64')]) {
      rejects(document({ data: `<ab:Data encoding="base64">${bad}</ab:Data>` }), /base64/);
    }
  });
});

describe('call home codec: SOAP fault', () => {
  it('produces a well-formed SOAP 1.2 Sender fault with the reason escaped', () => {
    const reason = 'malformed XML: <a> & "b" ]]> \u0000 ünïcode';
    const xml = encodeSoapFault(reason);
    assert.equal(XMLValidator.validate(xml), true);
    const parsed: unknown = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true }).parse(xml);
    const fault = (parsed as { Envelope: { Body: { Fault: { Code: { Value: string }; Reason: { Text: { '#text': string; '@_xml:lang': string } } } } } })
      .Envelope.Body.Fault;
    assert.equal(fault.Code.Value, 'soap-env:Sender');
    assert.equal(fault.Reason.Text['#text'], 'malformed XML: <a> & "b" ]]> \uFFFD ünïcode');
    assert.ok(xml.includes(`xmlns:soap-env="${soapEnv}"`));
    rejects(xml, /missing aml-block:Block/);
  });
});
