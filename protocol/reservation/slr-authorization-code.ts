import { readXmlDocument, CallHomeDecodeError, type XmlElement } from '../call-home-xml-reader.js';
import { ReservationCodeError } from './reservation-code-error.js';

/** One reserved license in an SLR authorization code; dates are YYYY-MM-DD or ''. */
export interface SlrEntitlement {
  tag: string;
  count: number;
  startDate: string;
  endDate: string;
  licenseType: string;
  displayName: string;
  tagDescription: string;
  subscriptionId: string;
}

export interface SlrAuthorization {
  piid: string;
  /** Issue time, epoch ms. */
  timestamp: number;
  entitlements: SlrEntitlement[];
  udi: { pid: string; serialNumber: string };
}

export interface ParsedSlrAuthorization extends SlrAuthorization {
  flag: string;
  version: string;
  /** The exact text from `<authorizationCode>` to `</authorizationCode>`: what the signature covers. */
  signedText: string;
  /** Base64 DER ECDSA-SHA256. */
  signature: string;
}

export const MAX_AUTHORIZATION_CODE_LENGTH = 64 * 1024;

/** XML text content: only the characters that would end or start markup need escaping. */
function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const el = (name: string, value: string | number): string => `<${name}>${escapeText(String(value))}</${name}>`;

/** The part of the code the satellite signs, element order as the public CUCM sample (DESIGN §9.1). */
export function slrSignedText(authorization: SlrAuthorization): string {
  const entitlements = authorization.entitlements.map((e) => `<entitlement>${[
    el('tag', e.tag), el('count', e.count), el('startDate', e.startDate), el('endDate', e.endDate),
    el('licenseType', e.licenseType), el('displayName', e.displayName), el('tagDescription', e.tagDescription),
    el('subscriptionID', e.subscriptionId),
  ].join('')}</entitlement>`).join('');
  return `<authorizationCode>${el('flag', 'A')}${el('version', 'C')}${el('piid', authorization.piid)}`
    + `${el('timestamp', authorization.timestamp)}<entitlements>${entitlements}</entitlements></authorizationCode>`;
}

/** `sign` returns base64 DER ECDSA-SHA256 over the UTF-8 bytes it is given (the satellite signing key). */
export function formatSlrAuthorizationCode(authorization: SlrAuthorization, sign: (text: string) => string): string {
  const signed = slrSignedText(authorization);
  const udi = `P:${authorization.udi.pid},S:${authorization.udi.serialNumber}`;
  return `<specificPLR>${signed}${el('signature', sign(signed))}${el('udi', udi)}</specificPLR>`;
}

export function looksLikeSlrAuthorizationCode(code: string): boolean {
  return code.trimStart().startsWith('<');
}

/**
 * Reads an SLR code back (device install, return-authorization, the satellite checking a pasted code). The
 * XML reader refuses DTDs, entity declarations and processing instructions before parsing, so an uploaded
 * code cannot expand entities or reach files (the ISE CVE-2026-20029 class).
 */
export function parseSlrAuthorizationCode(input: string): ParsedSlrAuthorization {
  const code = input.trim();
  if (code.length > MAX_AUTHORIZATION_CODE_LENGTH) throw new ReservationCodeError('the authorization code is too long');
  let root: XmlElement;
  try {
    root = readXmlDocument(code);
  } catch (error) {
    if (error instanceof CallHomeDecodeError) throw new ReservationCodeError(`the authorization code is not valid XML: ${error.reason}`);
    throw error;
  }
  if (root.local !== 'specificPLR' || root.ns !== null) throw new ReservationCodeError('the authorization code must be a <specificPLR> element');
  const authorization = child(root, 'authorizationCode');
  const start = code.indexOf('<authorizationCode>');
  const end = code.indexOf('</authorizationCode>');
  if (start < 0 || end < start) throw new ReservationCodeError('the authorization code has no plain <authorizationCode> element');
  const udi = /^P:([^,]+),S:(.+)$/.exec(text(child(root, 'udi')));
  if (udi === null) throw new ReservationCodeError('the <udi> of the authorization code must be "P:<pid>,S:<serial>"');
  const timestamp = Number(text(child(authorization, 'timestamp')));
  if (!Number.isSafeInteger(timestamp)) throw new ReservationCodeError('the <timestamp> of the authorization code is not a number');
  return {
    flag: text(child(authorization, 'flag')),
    version: text(child(authorization, 'version')),
    piid: text(child(authorization, 'piid')),
    timestamp,
    entitlements: elements(child(authorization, 'entitlements'), 'entitlement').map(readEntitlement),
    udi: { pid: udi[1] ?? '', serialNumber: udi[2] ?? '' },
    signedText: code.slice(start, end + '</authorizationCode>'.length),
    signature: text(child(root, 'signature')),
  };
}

function readEntitlement(entitlement: XmlElement): SlrEntitlement {
  const count = Number(text(child(entitlement, 'count')));
  if (!Number.isSafeInteger(count) || count < 0) throw new ReservationCodeError('an entitlement <count> of the authorization code is not a whole number');
  return {
    tag: text(child(entitlement, 'tag')),
    count,
    startDate: text(child(entitlement, 'startDate')),
    endDate: text(child(entitlement, 'endDate')),
    licenseType: text(child(entitlement, 'licenseType')),
    displayName: text(child(entitlement, 'displayName')),
    tagDescription: text(child(entitlement, 'tagDescription')),
    subscriptionId: text(child(entitlement, 'subscriptionID')),
  };
}

function elements(parent: XmlElement, local: string): XmlElement[] {
  return parent.children.filter((c): c is XmlElement => c.kind === 'element' && c.local === local);
}

function child(parent: XmlElement, local: string): XmlElement {
  const found = elements(parent, local);
  if (found.length !== 1) {
    throw new ReservationCodeError(`the authorization code must have exactly one <${local}> in <${parent.local}>, found ${found.length}`);
  }
  const [only] = found;
  if (only === undefined) throw new ReservationCodeError(`the authorization code has no <${local}>`);
  return only;
}

function text(element: XmlElement): string {
  return element.children.map((c) => (c.kind === 'text' ? c.text : '')).join('');
}
