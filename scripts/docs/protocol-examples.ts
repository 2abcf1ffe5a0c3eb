/**
 * Generates the example exchanges of docs/protocol.md from a real in-process satellite:
 *   npx tsx scripts/docs/protocol-examples.ts > /tmp/examples.md
 * Every request goes over loopback HTTP to the Express app, so statuses, content types and bodies are what a
 * device would see. Keys, ids, nonces and signatures are fresh on each run; the clock is fixed.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ManualClock, MS_PER_DAY } from '../../licensing/shared/clock.js';
import { decodeCallHomeRequest, encodeCallHomeRequest, type AttachmentEncoding } from '../../protocol/call-home-codec.js';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import { createSatelliteApp } from '../../server/create-satellite-app.js';
import { ExampleDevice } from './example-device.js';
import {
  decodedPayload, fence, payloadOf, prettyEnvelope, requestBlock, responseBlock, shortenPems, timesLine,
  type CapturedRequest, type CapturedResponse,
} from './example-markdown.js';

const START = Date.UTC(2026, 10, 23, 12);
const MINUTE = 60_000;
const NETWORK_ADVANTAGE = 'regid.2017-03.com.cisco.advantagek9,1.0_bd1da96e-ec1d-412b-a50e-53846b347d53';
const DNA_ADVANTAGE = 'regid.2017-05.com.cisco.C9300_DNA_Advantage,1.0_7e2a3c0d-6d5f-4b1e-9c7a-2f3b4c5d6e7f';
const PRODUCT_TAG = 'regid.2017-05.com.cisco.C9300,v1_727af1d9-6c39-4444-b301-863f81445b72';
const JSON_TYPE = 'application/json';
const SOAP_TYPE = 'application/soap+xml';

type Message = Record<string, unknown> & { status?: string; product_instance_id?: string | null; body?: { id_certificate?: string } };

const clock = new ManualClock(START);
const app = await createSatelliteApp({ clock });
app.seed.account('Acme');
app.seed.virtualAccount('Acme', 'Campus');
app.seed.licenseLine('Acme', 'Campus', {
  tag: NETWORK_ADVANTAGE, displayName: 'C9300 Network Advantage', description: 'Network Advantage for Catalyst 9300', quantity: 10,
});
app.seed.licenseLine('Acme', 'Campus', {
  tag: DNA_ADVANTAGE, displayName: 'C9300 DNA Advantage', description: 'DNA Advantage term license, 3 years', quantity: 2,
  licenseType: 'TERM', endsAt: START + 3 * 365 * MS_PER_DAY,
});
const token = app.seed.token('Acme', 'Campus', { description: 'campus switches', maxUses: 10 });

const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function send(request: CapturedRequest): Promise<CapturedResponse> {
  const res = await fetch(`${base}${request.path}`, {
    method: 'POST', headers: { 'content-type': request.contentType }, body: request.body,
  });
  return { status: res.status, statusText: res.statusText, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

function expectStatus(message: Message, status: string, what: string): void {
  if (message.status !== status) throw new Error(`${what}: expected ${status}, got ${JSON.stringify(message)}`);
}

/** Registration and renewal responses hand the device its (new) identity. */
function adoptIdentity(device: ExampleDevice, message: Message): void {
  const pem = message.body?.id_certificate;
  if (!message.product_instance_id || !pem) throw new Error(`no identity in ${JSON.stringify(message)}`);
  device.adopt(message.product_instance_id, pem);
}

async function jsonExchange(out: string[], title: string, note: string, envelopeText: string): Promise<Message> {
  const request: CapturedRequest = { path: DEVICE_TRANSPORT_PATHS.json, contentType: JSON_TYPE, body: envelopeText };
  const response = await send(request);
  if (response.status !== 200) throw new Error(`${title}: HTTP ${response.status} ${response.body}`);
  const message = payloadOf(response.body) as Message;
  out.push(
    `#### ${title}`, note,
    'Request:', requestBlock(request, prettyEnvelope(envelopeText)),
    '`payload` of the request, decoded:', fence('json', decodedPayload(envelopeText)),
    'Response:', responseBlock(response, prettyEnvelope(response.body)),
    '`payload` of the response, decoded:', fence('json', decodedPayload(response.body)),
    timesLine(message),
  );
  return message;
}

async function callHomeExchange(
  out: string[], title: string, note: string, envelopeText: string, messageType: string, encoding: AttachmentEncoding = 'plain',
): Promise<Message> {
  const xml = encodeCallHomeRequest({ envelopeText, messageType, now: clock.now(), messageId: `M${randomUUID()}`, encoding });
  const request: CapturedRequest = { path: DEVICE_TRANSPORT_PATHS.callHome, contentType: SOAP_TYPE, body: xml };
  const response = await send(request);
  if (response.status !== 200) throw new Error(`${title}: HTTP ${response.status} ${response.body}`);
  const answered = decodeCallHomeRequest(response.body).envelopeText;
  const message = payloadOf(answered) as Message;
  out.push(`#### ${title}`, note, 'Request:', requestBlock(request, shortenPems(xml)));
  if (encoding === 'base64') out.push('The base64 attachment above decodes to this envelope:', fence('json', prettyEnvelope(envelopeText)));
  out.push(
    'Response:', responseBlock(response, shortenPems(response.body)),
    '<details><summary><code>payload</code> of the response envelope, decoded</summary>', fence('json', decodedPayload(answered)),
    '</details>', timesLine(message),
  );
  return message;
}

const jsonOut: string[] = [];
const callHomeOut: string[] = [];
const refusalOut: string[] = [];

const switchA = await ExampleDevice.create({
  sudi: { udi_pid: 'C9300-24UX', udi_serial_number: 'FCW2134L00C', udi_vid: 'V02', host_identifier: '320aa69d' },
  productTag: PRODUCT_TAG, hostname: 'sw-core-1', ipAddress: '10.1.2.3',
});
const switchB = await ExampleDevice.create({
  sudi: { udi_pid: 'C9300-48P', udi_serial_number: 'FOC2245X0QZ', udi_vid: 'V01' },
  productTag: PRODUCT_TAG, hostname: 'sw-access-7', ipAddress: '10.1.7.20',
});

// REGISTER: both switches at the start of the timeline.
let m = await jsonExchange(jsonOut, 'REGISTER (JSON)',
  'An unsigned REGISTER carrying the registration token and a CSR for the device\'s P-256 key. The satellite answers with the ID certificate (CN = the new product instance id), the chain `[signing, root]`, the accounts and the timers.',
  switchA.envelope('REGISTER', { id_token: token.secret, csr: await switchA.csr(), force: false }, clock.now()));
expectStatus(m, 'OK', 'REGISTER A');
adoptIdentity(switchA, m);
m = await callHomeExchange(callHomeOut, 'REGISTER (Call Home)',
  'The same REGISTER envelope shape, carried as plain text in a CDATA section of the `smart-licensing` attachment.',
  switchB.envelope('REGISTER', { id_token: token.secret, csr: await switchB.csr() }, clock.now()), 'REGISTER');
expectStatus(m, 'OK', 'REGISTER B');
adoptIdentity(switchB, m);

// AUTHORIZE: one minute later. Switch B asks for more DNA Advantage than the pool has left.
clock.advance(MINUTE);
m = await jsonExchange(jsonOut, 'AUTHORIZE (JSON)',
  'Signed with the ID certificate key; `key_id` is the serial of the certificate REGISTER returned. The pool covers both tags.',
  switchA.envelope('AUTHORIZE', { entitlements: [{ tag: NETWORK_ADVANTAGE, count: 1 }, { tag: DNA_ADVANTAGE, count: 1 }] }, clock.now()));
expectStatus(m, 'OK', 'AUTHORIZE A');
m = await callHomeExchange(callHomeOut, 'AUTHORIZE (Call Home)',
  'Switch B reports 2 × DNA Advantage while switch A already uses 1 of the 2 purchased: the pool is short after the report (3 in use, balance −1), so that tag is `OUT_OF_COMPLIANCE` for every consumer (pool-level), and so is the overall status. The response status is still `OK`: the message was processed.',
  switchB.envelope('AUTHORIZE', { entitlements: [{ tag: NETWORK_ADVANTAGE, count: 1 }, { tag: DNA_ADVANTAGE, count: 2 }] }, clock.now()),
  'AUTHORIZE');
expectStatus(m, 'OK', 'AUTHORIZE B');

// RENEW_ID_CERT: at next_renewal_at, 180 days after registration. The device keeps its key.
clock.set(START + 180 * MS_PER_DAY + MINUTE);
m = await jsonExchange(jsonOut, 'RENEW_ID_CERT (JSON)',
  'Sent when `next_renewal_at` of the registration has come (180 days later). It is signed with the current certificate; the answer carries a new certificate with a new serial, and the old one is revoked at once.',
  switchA.envelope('RENEW_ID_CERT', { csr: await switchA.csr() }, clock.now()));
expectStatus(m, 'OK', 'RENEW A');
adoptIdentity(switchA, m);
m = await callHomeExchange(callHomeOut, 'RENEW_ID_CERT (Call Home)', 'The same renewal over Call Home.',
  switchB.envelope('RENEW_ID_CERT', { csr: await switchB.csr() }, clock.now()), 'RENEW_ID_CERT');
expectStatus(m, 'OK', 'RENEW B');
adoptIdentity(switchB, m);

// DEREGISTER: signed with the renewed certificate (note the new key_id).
clock.advance(MINUTE);
m = await jsonExchange(jsonOut, 'DEREGISTER (JSON)',
  'Signed with the renewed certificate, so `key_id` differs from the AUTHORIZE example. The licenses return to the pool and the certificate is revoked.',
  switchA.envelope('DEREGISTER', {}, clock.now()));
expectStatus(m, 'OK', 'DEREGISTER A');
m = await callHomeExchange(callHomeOut, 'DEREGISTER (Call Home, base64 attachment)',
  'This request carries its envelope as `encoding="base64"`; the satellite answers in plain CDATA either way.',
  switchB.envelope('DEREGISTER', {}, clock.now()), 'DEREGISTER', 'base64');
expectStatus(m, 'OK', 'DEREGISTER B');

// A protocol refusal: the token (30 days by default) has expired by now.
clock.advance(MINUTE);
const switchC = await ExampleDevice.create({
  sudi: { udi_pid: 'C9300-24T', udi_serial_number: 'FJC2301A1BC' }, productTag: PRODUCT_TAG, hostname: 'sw-lab-2', ipAddress: '10.1.9.4',
});
m = await jsonExchange(refusalOut, 'FAILED: TOKEN_EXPIRED (JSON)',
  'A REGISTER with the token from the examples above, 180 days after it was created; tokens live 30 days by default. The refusal is HTTP 200 with a signed `FAILED` response, `body` is `{}` and `product_instance_id` is null.',
  switchC.envelope('REGISTER', { id_token: token.secret, csr: await switchC.csr() }, clock.now()));
expectStatus(m, 'FAILED', 'REGISTER C');

// Unreadable envelopes: HTTP 400 in each transport's own dialect.
const noSignature: CapturedRequest = {
  path: DEVICE_TRANSPORT_PATHS.json, contentType: JSON_TYPE,
  body: JSON.stringify({ payload: JSON.stringify({ version: '1.0', type: 'AUTHORIZE' }) }),
};
let res = await send(noSignature);
refusalOut.push('#### HTTP 400 (JSON)',
  'An envelope without the `signature` member cannot be read as an envelope at all, so there is nothing to sign a response to. The body is the JSON error of the admin API; `requestId` is also sent as the `X-Request-Id` header.',
  'Request:', requestBlock(noSignature, noSignature.body), 'Response:', responseBlock(res, JSON.stringify(JSON.parse(res.body), null, 2)));
const dtd: CapturedRequest = {
  path: DEVICE_TRANSPORT_PATHS.callHome, contentType: SOAP_TYPE,
  body: [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE soap-env:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope"><soap-env:Body>&xxe;</soap-env:Body></soap-env:Envelope>',
  ].join('\n'),
};
res = await send(dtd);
refusalOut.push('#### HTTP 400 (Call Home)',
  'Any DTD is refused before the document is parsed; the answer is a SOAP 1.2 Sender fault.',
  'Request:', requestBlock(dtd, dtd.body), 'Response:', responseBlock(res, res.body));

server.close();
app.close();

const section = (title: string, lines: string[]): string => [`### ${title}`, ...lines.filter((l) => l !== '')].join('\n\n');
console.log([
  `<!-- generated by scripts/docs/protocol-examples.ts; satellite clock starts at ${new Date(START).toISOString()} -->`,
  section('JSON transport', jsonOut),
  section('Call Home transport', callHomeOut),
  section('Refusals', refusalOut),
].join('\n\n'));
