import { CallHomeDecodeError, hasNonXmlChar, readXmlDocument, type XmlElement } from './call-home-xml-reader.js';

export { CallHomeDecodeError, MAX_CALL_HOME_DOCUMENT_BYTES } from './call-home-xml-reader.js';

/**
 * Namespace URIs of the Call Home transport (DESIGN §4.4). aml-session and aml-block are the URIs every
 * Cisco Call Home sample uses. Those samples also bind `ch` to http://www.cisco.com/2005/05/callhome
 * and put the alert group only in aml-block:Type (…/callhome/syslog, …/callhome/diagnostic), so the
 * smart-licensing group shows up in the block type, not in the `ch` namespace. SOAP 1.1 is accepted on
 * input because some agents still speak it; the satellite answers in the version it was asked in.
 */
export const CALL_HOME_NAMESPACES = {
  soapEnv: 'http://www.w3.org/2003/05/soap-envelope',
  soap11Env: 'http://schemas.xmlsoap.org/soap/envelope/',
  amlSession: 'http://www.cisco.com/2004/01/aml-session',
  amlBlock: 'http://www.cisco.com/2004/01/aml-block',
  callHome: 'http://www.cisco.com/2005/05/callhome',
} as const;

export const SMART_LICENSING_BLOCK_TYPE = 'http://www.cisco.com/2017/01/callhome/smartlicensing';
export const SMART_LICENSING_ATTACHMENT = 'smart-licensing';

export type SoapVersion = '1.1' | '1.2';
export type AttachmentEncoding = 'plain' | 'base64';

export interface CallHomeRequest {
  /** The DESIGN §4.1 JSON envelope text carried in the attachment named 'smart-licensing'. */
  envelopeText: string;
  messageId: string | null;
  from: string | null;
  to: string | null;
  /** ch:Event/ch:SubType, which carries the device message type. */
  subType: string | null;
  /** aml-session:InReplyTo, set on satellite responses only. */
  inReplyTo: string | null;
  soapVersion: SoapVersion;
}

export interface EncodeCallHomeRequestInput {
  envelopeText: string;
  messageType: string;
  now: number;
  messageId: string;
  from?: string;
  to?: string;
  encoding?: AttachmentEncoding;
  soapVersion?: SoapVersion;
}

export interface EncodeCallHomeResponseInput {
  envelopeText: string;
  inReplyTo: string | null;
  messageType: string;
  now: number;
  sessionMessageId: string;
  from?: string;
  to?: string;
  encoding?: AttachmentEncoding;
  soapVersion?: SoapVersion;
}

const DEVICE_URI = 'http://www.cisco.com/appliance/uri';
const SATELLITE_PATH = '/Transportgateway/services/DeviceRequestHandler';

// ---------------------------------------------------------------------------------------------- decoding

function children(parent: XmlElement, ns: string, local: string): XmlElement[] {
  return parent.children.filter((node): node is XmlElement => node.kind === 'element' && node.ns === ns && node.local === local);
}

function child(parent: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return parent === undefined ? undefined : children(parent, ns, local)[0];
}

function textOf(element: XmlElement | undefined): string | null {
  if (element === undefined) return null;
  const text = element.children.map((node) => (node.kind === 'text' ? node.text : '')).join('').trim();
  return text === '' ? null : text;
}

function envelopeVersion(root: XmlElement): SoapVersion {
  if (root.local === 'Envelope' && root.ns === CALL_HOME_NAMESPACES.soapEnv) return '1.2';
  if (root.local === 'Envelope' && root.ns === CALL_HOME_NAMESPACES.soap11Env) return '1.1';
  throw new CallHomeDecodeError(`root element is not a SOAP Envelope ({${root.ns ?? ''}}${root.local})`);
}

function attachmentText(data: XmlElement): string {
  if (data.children.some((node) => node.kind === 'element')) {
    throw new CallHomeDecodeError('aml-block:Data must contain only text');
  }
  const encoding = (data.attributes.get('encoding') ?? 'plain').trim().toLowerCase();
  const texts = data.children.filter((node) => node.kind === 'text');
  if (encoding === 'base64') return decodeBase64(texts.map((node) => node.text).join(''));
  if (encoding !== 'plain' && encoding !== 'text') {
    throw new CallHomeDecodeError(`unsupported attachment encoding "${encoding.slice(0, 32)}"`);
  }
  // Agents pretty-print the element around its CDATA; that whitespace is layout, not attachment text.
  const hasCdata = texts.some((node) => node.cdata);
  const text = texts.filter((node) => !hasCdata || node.cdata || node.text.trim() !== '').map((node) => node.text).join('');
  if (text.trim() === '') throw new CallHomeDecodeError('smart-licensing attachment is empty');
  return text;
}

function decodeBase64(raw: string): string {
  const compact = raw.replace(/[ \t\n]/g, '');
  if (compact === '') throw new CallHomeDecodeError('smart-licensing attachment is empty');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new CallHomeDecodeError('attachment is not valid base64');
  }
  // Buffer.from ignores non-zero padding bits; demanding the canonical form keeps one text per byte string.
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.toString('base64') !== compact) throw new CallHomeDecodeError('attachment is not valid base64');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CallHomeDecodeError('base64 attachment is not valid UTF-8');
  }
}

/** Decodes a Call Home SOAP document in either direction (device request or satellite response). */
export function decodeCallHomeRequest(xml: string): CallHomeRequest {
  const { amlBlock, amlSession, callHome } = CALL_HOME_NAMESPACES;
  const root = readXmlDocument(xml);
  const soapVersion = envelopeVersion(root);
  const soapNs = root.ns ?? '';
  const body = child(root, soapNs, 'Body');
  if (body === undefined) throw new CallHomeDecodeError('missing SOAP Body');
  const blocks = children(body, amlBlock, 'Block');
  if (blocks.length === 0) throw new CallHomeDecodeError('missing aml-block:Block in SOAP Body');
  const attachments = blocks
    .flatMap((block) => children(block, amlBlock, 'Attachments'))
    .flatMap((list) => children(list, amlBlock, 'Attachment'))
    .filter((attachment) => textOf(child(attachment, amlBlock, 'Name')) === SMART_LICENSING_ATTACHMENT);
  const [attachment, ...others] = attachments;
  if (attachment === undefined) throw new CallHomeDecodeError('no smart-licensing attachment');
  // Two candidate envelopes would let a relay show one and the satellite act on the other.
  if (others.length > 0) throw new CallHomeDecodeError('more than one smart-licensing attachment');
  const type = attachment.attributes.get('type')?.trim() ?? 'inline';
  if (type !== 'inline') throw new CallHomeDecodeError(`unsupported attachment type "${type.slice(0, 32)}"`);
  const data = child(attachment, amlBlock, 'Data');
  if (data === undefined) throw new CallHomeDecodeError('smart-licensing attachment has no aml-block:Data');
  const session = child(child(root, soapNs, 'Header'), amlSession, 'Session');
  const event = child(child(child(blocks[0], amlBlock, 'Content'), callHome, 'CallHome'), callHome, 'Event');
  return {
    envelopeText: attachmentText(data),
    messageId: textOf(child(session, amlSession, 'MessageId')),
    from: textOf(child(session, amlSession, 'From')),
    to: textOf(child(session, amlSession, 'To')),
    subType: textOf(child(event, callHome, 'SubType')),
    inReplyTo: textOf(child(session, amlSession, 'InReplyTo')),
    soapVersion,
  };
}

// ---------------------------------------------------------------------------------------------- encoding

/** Escapes character data; \r becomes a reference because readers normalize a literal one to \n. */
function escapeText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/[&<>\r]/g, (char) => (char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : '&#13;'));
}

/**
 * Splits CDATA at every `]]>` and before every `<!` / `<?`, so the output never contains a sequence the
 * decoder's DTD and processing-instruction screen refuses.
 */
function cdata(value: string): string {
  return `<![CDATA[${value.replace(/\]\]>|<(?=[!?])/g, (match) => (match === ']]>' ? ']]]]><![CDATA[>' : '<]]><![CDATA['))}]]>`;
}

function attachmentData(envelopeText: string, requested: AttachmentEncoding): string {
  // Text XML cannot carry verbatim (control characters, lone surrogates, \r) travels as base64 instead.
  if (requested === 'plain' && !hasNonXmlChar(envelopeText) && !envelopeText.includes('\r')) {
    return `<aml-block:Data encoding="plain">${cdata(envelopeText)}</aml-block:Data>`;
  }
  return `<aml-block:Data encoding="base64">${Buffer.from(envelopeText, 'utf8').toString('base64')}</aml-block:Data>`;
}

/** Call Home timestamps look like `2013-06-05 03:11:36 GMT+00:00`. */
function callHomeTime(now: number): string {
  return `${new Date(now).toISOString().slice(0, 19).replace('T', ' ')} GMT+00:00`;
}

interface EnvelopeParts {
  envelopeText: string;
  messageType: string;
  now: number;
  messageId: string;
  inReplyTo: string | null;
  from: string;
  to: string;
  builder: string;
  encoding: AttachmentEncoding;
  soapVersion: SoapVersion;
}

function buildEnvelope(parts: EnvelopeParts): string {
  const soapNs = parts.soapVersion === '1.1' ? CALL_HOME_NAMESPACES.soap11Env : CALL_HOME_NAMESPACES.soapEnv;
  const mustUnderstand = parts.soapVersion === '1.1' ? '1' : 'true';
  const time = escapeText(callHomeTime(parts.now));
  const text = (name: string, value: string): string => `<${name}>${escapeText(value)}</${name}>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<soap-env:Envelope xmlns:soap-env="${soapNs}">`,
    '<soap-env:Header>',
    `<aml-session:Session xmlns:aml-session="${CALL_HOME_NAMESPACES.amlSession}" soap-env:mustUnderstand="${mustUnderstand}">`,
    text('aml-session:To', parts.to),
    `<aml-session:Path>${text('aml-session:Via', parts.from)}</aml-session:Path>`,
    text('aml-session:From', parts.from),
    text('aml-session:MessageId', parts.messageId),
    parts.inReplyTo === null ? '' : text('aml-session:InReplyTo', parts.inReplyTo),
    '</aml-session:Session>',
    '</soap-env:Header>',
    '<soap-env:Body>',
    `<aml-block:Block xmlns:aml-block="${CALL_HOME_NAMESPACES.amlBlock}">`,
    '<aml-block:Header>',
    text('aml-block:Type', SMART_LICENSING_BLOCK_TYPE),
    `<aml-block:CreationDate>${time}</aml-block:CreationDate>`,
    `<aml-block:Builder>${text('aml-block:Name', parts.builder)}<aml-block:Version>1.0</aml-block:Version></aml-block:Builder>`,
    '<aml-block:BlockGroup>',
    text('aml-block:GroupId', `G:${parts.messageId}`),
    '<aml-block:Number>0</aml-block:Number><aml-block:IsLast>true</aml-block:IsLast>',
    '<aml-block:IsPrimary>true</aml-block:IsPrimary><aml-block:WaitForPrimary>false</aml-block:WaitForPrimary>',
    '</aml-block:BlockGroup>',
    '</aml-block:Header>',
    '<aml-block:Content>',
    `<ch:CallHome xmlns:ch="${CALL_HOME_NAMESPACES.callHome}" version="1.0">`,
    `<ch:EventTime>${time}</ch:EventTime>`,
    `<ch:Event><ch:Type>smartlicensing</ch:Type>${text('ch:SubType', parts.messageType)}</ch:Event>`,
    '</ch:CallHome>',
    '</aml-block:Content>',
    '<aml-block:Attachments>',
    '<aml-block:Attachment type="inline">',
    text('aml-block:Name', SMART_LICENSING_ATTACHMENT),
    attachmentData(parts.envelopeText, parts.encoding),
    '</aml-block:Attachment>',
    '</aml-block:Attachments>',
    '</aml-block:Block>',
    '</soap-env:Body>',
    '</soap-env:Envelope>',
  ].filter((line) => line !== '').join('\n');
}

/** Builds a device request; used by the reference device agent and by tests. */
export function encodeCallHomeRequest(input: EncodeCallHomeRequestInput): string {
  return buildEnvelope({
    envelopeText: input.envelopeText,
    messageType: input.messageType,
    now: input.now,
    messageId: input.messageId,
    inReplyTo: null,
    from: input.from ?? DEVICE_URI,
    to: input.to ?? SATELLITE_PATH,
    builder: 'license-satellite-agent',
    encoding: input.encoding ?? 'plain',
    soapVersion: input.soapVersion ?? '1.2',
  });
}

export function encodeCallHomeResponse(input: EncodeCallHomeResponseInput): string {
  return buildEnvelope({
    envelopeText: input.envelopeText,
    messageType: input.messageType,
    now: input.now,
    messageId: input.sessionMessageId,
    inReplyTo: input.inReplyTo,
    from: input.from ?? SATELLITE_PATH,
    to: input.to ?? DEVICE_URI,
    builder: 'license-satellite',
    encoding: input.encoding ?? 'plain',
    soapVersion: input.soapVersion ?? '1.2',
  });
}

/** A SOAP 1.2 Sender fault, the body of the HTTP 400 answer to a document that cannot be read. */
export function encodeSoapFault(reason: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<soap-env:Envelope xmlns:soap-env="${CALL_HOME_NAMESPACES.soapEnv}">`,
    '<soap-env:Body>',
    '<soap-env:Fault>',
    '<soap-env:Code><soap-env:Value>soap-env:Sender</soap-env:Value></soap-env:Code>',
    `<soap-env:Reason><soap-env:Text xml:lang="en">${escapeText(reason)}</soap-env:Text></soap-env:Reason>`,
    '</soap-env:Fault>',
    '</soap-env:Body>',
    '</soap-env:Envelope>',
  ].join('\n');
}
