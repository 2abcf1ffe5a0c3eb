import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { KeyAlgorithm } from '../instances/product-instance.js';
import { DeviceRequestError } from '../shared/domain-error.js';
import { contentOf, readChildren, readWhole, TAG, type DerNode } from './der.js';
import { pkiCrypto } from './pki-material.js';
import { importSpkiPublicKey } from './public-key-import.js';

export interface ParsedCsr {
  /** SubjectPublicKeyInfo DER of the device key, re-encoded by node:crypto so later imports cannot fail. */
  publicKeyDer: Uint8Array;
  keyAlgorithm: KeyAlgorithm;
}

/** A P-256 or RSA-4096 CSR is about 1-2 KiB; anything near this bound is not a CSR from a smart agent. */
export const MAX_CSR_BYTES = 16 * 1024;
const MIN_RSA_BITS = 2048;

// Old OpenSSL and Cisco IOS label requests "NEW CERTIFICATE REQUEST"; both are the same PKCS#10 structure.
const PEM_BLOCK = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\s]+)-----END (NEW )?CERTIFICATE REQUEST-----/;

/**
 * Reads a device's PKCS#10 request and proves the device holds the key: every refusal is a
 * DeviceRequestError CSR_INVALID whose message says what was wrong, since it is shown to the device admin.
 */
export async function parseDeviceCsr(pem: string): Promise<ParsedCsr> {
  if (typeof pem !== 'string' || pem.trim() === '') {
    throw invalid('The CSR is empty');
  }
  if (Buffer.byteLength(pem, 'utf8') > MAX_CSR_BYTES) {
    throw invalid(`The CSR is larger than ${MAX_CSR_BYTES} bytes`);
  }
  const block = PEM_BLOCK.exec(pem);
  const body = block?.[2]?.replace(/\s+/g, '') ?? '';
  if (body === '') {
    throw invalid('The CSR is not a PEM block labelled CERTIFICATE REQUEST');
  }

  const der = Buffer.from(body, 'base64');
  return parseCommonCsr(der) ?? parseAnyCsr(der);
}

/**
 * The fast path for what smart agents send: a DER request without attributes, signed with ECDSA or RSA
 * PKCS#1 v1.5 over SHA-2, checked with node:crypto directly (about 0.1 ms instead of 1 ms through the
 * general ASN.1 parser and WebCrypto). It only ever accepts, or refuses a key type exactly as parseAnyCsr
 * would: anything it does not recognise, and any signature it cannot verify, is left to parseAnyCsr, so
 * every refusal and its message stay those of the general path.
 */
function parseCommonCsr(der: Buffer): ParsedCsr | null {
  const request = readCommonShape(der);
  if (request === null) return null;
  let keyObject: KeyObject;
  try {
    keyObject = importSpkiPublicKey(request.spki);
  } catch {
    return null;
  }
  const keyAlgorithm = supportedKeyAlgorithm(keyObject);
  if (request.keyType !== keyObject.asymmetricKeyType) return null;
  let valid: boolean;
  try {
    valid = verify(request.hash, request.signedBytes, keyObject, request.signature);
  } catch {
    valid = false;
  }
  if (!valid) return null;
  return { publicKeyDer: new Uint8Array(keyObject.export({ format: 'der', type: 'spki' })), keyAlgorithm };
}

interface CommonShape { signedBytes: Buffer; spki: Buffer; hash: string; keyType: 'ec' | 'rsa'; signature: Buffer }

/** Signature algorithms (DER of the OID) that WebCrypto would also have verified, and their hash. */
const SIGNATURE_ALGORITHMS = new Map<string, { hash: string; keyType: 'ec' | 'rsa' }>([
  ['2a8648ce3d040302', { hash: 'sha256', keyType: 'ec' }],
  ['2a8648ce3d040303', { hash: 'sha384', keyType: 'ec' }],
  ['2a8648ce3d040304', { hash: 'sha512', keyType: 'ec' }],
  ['2a864886f70d01010b', { hash: 'sha256', keyType: 'rsa' }],
  ['2a864886f70d01010c', { hash: 'sha384', keyType: 'rsa' }],
  ['2a864886f70d01010d', { hash: 'sha512', keyType: 'rsa' }],
]);
const DIRECTORY_STRING_TAGS = new Set<number>([
  TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.T61_STRING, TAG.IA5_STRING, TAG.UNIVERSAL_STRING, TAG.BMP_STRING,
]);

/**
 * PKCS#10 (RFC 2986): SEQUENCE { info SEQUENCE { version 0, subject Name, subjectPKInfo, attributes [0] },
 * signatureAlgorithm, signature BIT STRING }, with an empty attribute set and a subject of plain strings.
 */
function readCommonShape(der: Buffer): CommonShape | null {
  const root = readWhole(der);
  const [info, algorithm, signature, ...extra] = (root?.tag === TAG.SEQUENCE ? readChildren(der, root) : null) ?? [];
  if (!info || !algorithm || !signature || extra.length > 0 || info.tag !== TAG.SEQUENCE || algorithm.tag !== TAG.SEQUENCE) return null;
  const [version, subject, spki, attributes, ...more] = readChildren(der, info) ?? [];
  if (!version || !subject || !spki || !attributes || more.length > 0) return null;
  if (version.tag !== TAG.INTEGER || !contentOf(der, version).equals(Buffer.from([0]))) return null;
  if (subject.tag !== TAG.SEQUENCE || !isPlainName(der, subject) || spki.tag !== TAG.SEQUENCE) return null;
  if (attributes.tag !== TAG.CONTEXT_0 || attributes.end !== attributes.contentStart) return null;
  const [oid, parameters, ...rest] = readChildren(der, algorithm) ?? [];
  const known = oid?.tag === TAG.OID ? SIGNATURE_ALGORITHMS.get(contentOf(der, oid).toString('hex')) : undefined;
  if (!known || rest.length > 0) return null;
  // ECDSA identifiers have no parameters; RSA ones carry NULL (or, from some encoders, nothing).
  if (parameters && (known.keyType === 'ec' || parameters.tag !== TAG.NULL || parameters.end !== parameters.contentStart)) return null;
  const bits = signature.tag === TAG.BIT_STRING ? contentOf(der, signature) : null;
  if (!bits || bits[0] !== 0 || bits.length < 2) return null;
  return {
    signedBytes: der.subarray(info.start, info.end), spki: der.subarray(spki.start, spki.end),
    hash: known.hash, keyType: known.keyType, signature: bits.subarray(1),
  };
}

/** Name ::= SEQUENCE OF SET SIZE (1..MAX) OF { type OID, value DirectoryString }. */
function isPlainName(der: Buffer, name: DerNode): boolean {
  for (const set of readChildren(der, name) ?? [null]) {
    if (set?.tag !== TAG.SET || set.end === set.contentStart) return false;
    for (const pair of readChildren(der, set) ?? [null]) {
      const [type, value, ...rest] = (pair?.tag === TAG.SEQUENCE ? readChildren(der, pair) : null) ?? [];
      if (type?.tag !== TAG.OID || !value || !DIRECTORY_STRING_TAGS.has(value.tag) || rest.length > 0) return false;
    }
  }
  return true;
}

/** The general path: any PKCS#10 that @peculiar/x509 reads and WebCrypto verifies. */
async function parseAnyCsr(der: Buffer): Promise<ParsedCsr> {
  let csr: x509.Pkcs10CertificateRequest;
  let keyObject: KeyObject;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
    keyObject = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  } catch {
    throw invalid('The CSR is not a valid PKCS#10 certificate request');
  }

  // The key is checked before the signature so an unsupported algorithm is reported as such rather than
  // as a signature that WebCrypto could not check.
  const keyAlgorithm = supportedKeyAlgorithm(keyObject);

  let signatureValid: boolean;
  try {
    signatureValid = await csr.verify(pkiCrypto);
  } catch {
    signatureValid = false;
  }
  if (!signatureValid) {
    throw invalid('The CSR signature does not verify with the public key it carries');
  }

  return { publicKeyDer: new Uint8Array(keyObject.export({ format: 'der', type: 'spki' })), keyAlgorithm };
}

function supportedKeyAlgorithm(key: KeyObject): KeyAlgorithm {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  if (type === 'ec') {
    const curve = details?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    throw invalid(`The CSR key is EC on curve ${curve ?? 'unknown'}; only P-256 (prime256v1) is accepted`);
  }
  if (type === 'rsa') {
    const bits = details?.modulusLength ?? 0;
    if (bits >= MIN_RSA_BITS) return 'RS256';
    throw invalid(`The CSR key is RSA ${bits} bits; RSA keys need at least ${MIN_RSA_BITS} bits`);
  }
  throw invalid(`The CSR key type is ${type ?? 'unknown'}; only EC P-256 or RSA of at least ${MIN_RSA_BITS} bits is accepted`);
}

function invalid(message: string): DeviceRequestError {
  return new DeviceRequestError('CSR_INVALID', message);
}
