import { createPublicKey, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { KeyAlgorithm } from '../instances/product-instance.js';
import { DeviceRequestError } from '../shared/domain-error.js';
import { pkiCrypto } from './pki-material.js';

export interface ParsedCsr {
  /** SubjectPublicKeyInfo DER of the device key, re-encoded by node:crypto so later imports cannot fail. */
  publicKeyDer: Uint8Array;
  keyAlgorithm: KeyAlgorithm;
  publicKey: x509.PublicKey;
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

  let csr: x509.Pkcs10CertificateRequest;
  let keyObject: KeyObject;
  try {
    csr = new x509.Pkcs10CertificateRequest(Buffer.from(body, 'base64'));
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

  const publicKeyDer = new Uint8Array(keyObject.export({ format: 'der', type: 'spki' }));
  return { publicKeyDer, keyAlgorithm, publicKey: new x509.PublicKey(publicKeyDer) };
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
