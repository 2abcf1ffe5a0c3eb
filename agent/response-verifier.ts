import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import type { DeviceMessageType } from '../protocol/device-message.js';
import { formatZodIssues, isStrictBase64, signedEnvelopeSchema, type EnvelopeSignature } from '../protocol/signed-envelope.js';
import { agentCrypto, normalizeSerial, parseCertificate as parseAny } from './agent-crypto.js';
import { ResponseVerificationError } from './agent-errors.js';
import { parseResponseMessage, type DeviceResponseFor } from './response-messages.js';

export interface ExpectedReply<T extends DeviceMessageType> {
  type: T;
  messageId: string;
  nonce: string;
}

export interface ResponseTrust {
  /**
   * The root CA every response must chain to: the pinned root, or the root stored at registration. Null
   * only before the first registration, when the REGISTER response is trusted on first use.
   */
  rootPem: string | null;
  /** [signing PEM, root PEM] as stored from the last REGISTER or RENEW_ID_CERT response. */
  storedChain: readonly string[] | null;
}

export interface VerifiedResponse<T extends DeviceMessageType> {
  message: DeviceResponseFor<T>;
  /** The chain the signature was checked with; what an OK identity response asks the agent to store. */
  chain: string[] | null;
  /**
   * False only for a non-OK REGISTER answer while the agent knows no satellite yet: such an answer carries
   * no chain, so there is nothing to check it with, and it changes no state.
   */
  signatureVerified: boolean;
}

/**
 * Verifies a satellite response (DESIGN §4.1/§4.5): the envelope signature with the signing certificate,
 * the certificate against the trusted root, key_id against the certificate serial, and that the message
 * answers the request that was sent. Every refusal is a ResponseVerificationError that names the cause.
 */
export async function verifyResponse<T extends DeviceMessageType>(
  envelopeText: string,
  expected: ExpectedReply<T>,
  trust: ResponseTrust,
): Promise<VerifiedResponse<T>> {
  const { payload, signature } = readEnvelope(envelopeText);
  const raw = parseJson(payload, 'payload');
  const carried = carriedChain(raw);
  const chain = carried ?? (trust.storedChain === null ? null : [...trust.storedChain]);

  let signatureVerified = false;
  if (chain === null) {
    if (expected.type !== 'REGISTER' || statusOf(raw) === 'OK') {
      throw new ResponseVerificationError('No satellite certificate chain is known to verify the response with');
    }
  } else {
    const signer = await verifiedSigningCertificate(chain, trust.rootPem);
    checkSignature(signer, signature, payload);
    signatureVerified = true;
  }

  const message = parseResponseMessage(raw, expected.type);
  checkCorrelation(message, expected);
  return { message, chain: signatureVerified ? chain : null, signatureVerified };
}

function readEnvelope(envelopeText: string): { payload: string; signature: EnvelopeSignature } {
  const parsed = signedEnvelopeSchema.safeParse(parseJson(envelopeText, 'envelope'));
  if (!parsed.success) {
    throw new ResponseVerificationError(`The satellite response is not a signed envelope: ${formatZodIssues(parsed.error)}`);
  }
  if (parsed.data.signature === null) throw new ResponseVerificationError('The satellite response is not signed');
  return { payload: parsed.data.payload, signature: parsed.data.signature };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ResponseVerificationError(`The satellite response ${what} is not JSON: ${text.slice(0, 120)}`);
  }
}

function objectField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function statusOf(raw: unknown): unknown {
  return objectField(raw, 'status');
}

/** The chain an identity response carries; untrusted until the signature and root check pass. */
function carriedChain(raw: unknown): string[] | null {
  const chain = objectField(objectField(raw, 'body'), 'certificate_chain');
  if (!Array.isArray(chain) || chain.length === 0) return null;
  return chain.every((item): item is string => typeof item === 'string') ? chain : null;
}

/**
 * chain[0] signs responses; each certificate must be signed by the next one, and the top must be the
 * trusted root. With a single-element chain the trusted root is the issuer.
 */
async function verifiedSigningCertificate(chain: readonly string[], rootPem: string | null): Promise<x509.X509Certificate> {
  const certificates = chain.map((pem, index) => parseCertificate(pem, `Satellite certificate_chain[${index}]`));
  const [signer] = certificates;
  const top = certificates[certificates.length - 1];
  if (signer === undefined || top === undefined) throw new ResponseVerificationError('The satellite certificate chain is empty');
  const root = rootPem === null ? null : parseCertificate(rootPem, 'The trusted satellite root CA');
  const links: { subject: x509.X509Certificate; issuer: x509.X509Certificate; name: string }[] = [];
  for (let index = 0; index + 1 < certificates.length; index += 1) {
    const subject = certificates[index];
    const issuer = certificates[index + 1];
    if (subject !== undefined && issuer !== undefined) links.push({ subject, issuer, name: `certificate_chain[${index}]` });
  }
  if (certificates.length === 1) {
    if (root === null) throw new ResponseVerificationError('The satellite certificate chain has no root CA and no root is trusted');
    links.push({ subject: signer, issuer: root, name: 'certificate_chain[0]' });
  } else if (root !== null && !sameCertificate(top, root)) {
    throw new ResponseVerificationError(
      `The satellite root CA (${top.subject}) is not the trusted root (${root.subject}); the satellite is not the one this device trusts`,
    );
  }
  for (const link of links) {
    let valid: boolean;
    try {
      valid = await link.subject.verify({ publicKey: link.issuer.publicKey, signatureOnly: true }, agentCrypto);
    } catch {
      valid = false;
    }
    if (!valid) {
      throw new ResponseVerificationError(`The satellite ${link.name} (${link.subject.subject}) is not signed by ${link.issuer.subject}`);
    }
  }
  return signer;
}

function parseCertificate(pem: string, what: string): x509.X509Certificate {
  try {
    return parseAny(pem, what);
  } catch (error) {
    throw new ResponseVerificationError(error instanceof Error ? error.message : String(error));
  }
}

function sameCertificate(a: x509.X509Certificate, b: x509.X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

function checkSignature(signer: x509.X509Certificate, signature: EnvelopeSignature, payload: string): void {
  const serial = normalizeSerial(signer.serialNumber);
  if (normalizeSerial(signature.key_id) !== serial) {
    throw new ResponseVerificationError(
      `The satellite response is signed by key ${signature.key_id}, but the satellite signing certificate is ${serial}`,
    );
  }
  const key = createPublicKey({ key: Buffer.from(signer.publicKey.rawData), format: 'der', type: 'spki' });
  if (!keyFitsAlgorithm(key, signature.alg)) {
    throw new ResponseVerificationError(`The satellite response claims ${signature.alg}, which does not fit the signing certificate key`);
  }
  let valid = false;
  if (isStrictBase64(signature.value)) {
    try {
      valid = verify('sha256', Buffer.from(payload, 'utf8'), key, Buffer.from(signature.value, 'base64'));
    } catch {
      valid = false;
    }
  }
  if (!valid) {
    throw new ResponseVerificationError(`The satellite response signature does not verify with the satellite signing certificate ${serial}`);
  }
}

function keyFitsAlgorithm(key: KeyObject, alg: EnvelopeSignature['alg']): boolean {
  return alg === 'ES256'
    ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
    : key.asymmetricKeyType === 'rsa';
}

/** A correctly signed answer to some other request (a replayed or misrouted one) must not be acted on. */
function checkCorrelation<T extends DeviceMessageType>(message: DeviceResponseFor<T>, expected: ExpectedReply<T>): void {
  const ok = message.status === 'OK';
  if ((ok || message.in_reply_to !== null) && message.in_reply_to !== expected.messageId) {
    throw new ResponseVerificationError(
      `The satellite response answers message ${String(message.in_reply_to)}, not ${expected.messageId}`,
    );
  }
  if ((ok || message.nonce !== null) && message.nonce !== expected.nonce) {
    throw new ResponseVerificationError('The satellite response does not echo the request nonce');
  }
}

/** True when one certificate of the chain signed the certificate, e.g. a device ID certificate. */
export async function issuedByChain(certificate: x509.X509Certificate, chain: readonly string[]): Promise<boolean> {
  for (const [index, pem] of chain.entries()) {
    const issuer = parseCertificate(pem, `Satellite certificate_chain[${index}]`);
    try {
      if (await certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true }, agentCrypto)) return true;
    } catch {
      // A key type mismatch throws instead of returning false; either way this is not the issuer.
    }
  }
  return false;
}
