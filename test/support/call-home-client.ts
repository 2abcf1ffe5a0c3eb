import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { decodeCallHomeRequest, encodeCallHomeRequest, type AttachmentEncoding, type SoapVersion } from '../../protocol/call-home-codec.js';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import type { SatelliteApp } from '../../server/create-satellite-app.js';
import { assertSignedBySatellite } from './satellite-fixture.js';
import { openEnvelope, type ResponseMessage } from './test-device.js';

/** A device speaking the DESIGN §4.4 Call Home transport, for tests. */

export interface CallHomeAnswer {
  status: number;
  text: string;
  contentType: string;
  /** Set for a 200 answer: the signed §4.1 envelope carried in the SOAP response, already verified. */
  envelopeText: string | null;
  message: ResponseMessage | null;
  inReplyTo: string | null;
  subType: string | null;
}

export interface CallHomeOptions {
  messageType: string;
  encoding?: AttachmentEncoding;
  soapVersion?: SoapVersion;
  contentType?: string;
  sessionMessageId?: string;
}

export async function postCallHomeXml(app: SatelliteApp, xml: string, contentType: string | null = 'application/soap+xml'): Promise<CallHomeAnswer> {
  const req = request(app).post(DEVICE_TRANSPORT_PATHS.callHome);
  const res = contentType === null ? await req.send(Buffer.from(xml, 'utf8')) : await req.set('content-type', contentType).send(xml);
  const answer: CallHomeAnswer = {
    status: res.status, text: res.text, contentType: String(res.headers['content-type'] ?? ''),
    envelopeText: null, message: null, inReplyTo: null, subType: null,
  };
  if (res.status !== 200) return answer;
  const decoded = decodeCallHomeRequest(res.text);
  assertSignedBySatellite(app, decoded.envelopeText);
  return {
    ...answer, envelopeText: decoded.envelopeText, message: openEnvelope(decoded.envelopeText).message,
    inReplyTo: decoded.inReplyTo, subType: decoded.subType,
  };
}

/** Wraps a §4.1 envelope in a Call Home request document and posts it. */
export async function postCallHome(app: SatelliteApp, envelopeText: string, o: CallHomeOptions): Promise<CallHomeAnswer & { sessionMessageId: string }> {
  const sessionMessageId = o.sessionMessageId ?? `M${randomUUID()}`;
  const xml = encodeCallHomeRequest({
    envelopeText, messageType: o.messageType, now: app.clock.now(), messageId: sessionMessageId,
    encoding: o.encoding ?? 'plain', soapVersion: o.soapVersion ?? '1.2',
  });
  if ((o.encoding ?? 'plain') === 'base64') assert.match(xml, /encoding="base64"/);
  else assert.match(xml, /<!\[CDATA\[/);
  return { ...(await postCallHomeXml(app, xml, o.contentType ?? 'application/soap+xml')), sessionMessageId };
}

/** A 400 (or 415) answer in the transport's own dialect: a SOAP Fault, never JSON. */
export function assertSoapFault(answer: CallHomeAnswer, status: number): void {
  assert.equal(answer.status, status, answer.text);
  assert.match(answer.contentType, /^application\/soap\+xml/);
  assert.match(answer.text, /Fault/);
  assert.match(answer.text, /http:\/\/www\.w3\.org\/2003\/05\/soap-envelope/);
}
