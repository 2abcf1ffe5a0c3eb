import { createPrivateKey, createPublicKey, sign, type KeyObject, type webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { agentCrypto } from './agent-crypto.js';

export type KeyAlgorithm = 'ES256' | 'RS256';

const EC_PARAMS: webcrypto.EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };
const RSA_PARAMS: webcrypto.RsaHashedImportParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
const RSA_BITS = 2048;

/**
 * The device's ID-certificate key. Held as a node KeyObject for envelope signatures and re-imported into
 * WebCrypto only when a CSR is built, which happens once per registration or renewal.
 */
export class DeviceKey {
  readonly algorithm: KeyAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  private constructor(privateKey: KeyObject, algorithm: KeyAlgorithm) {
    this.privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    this.algorithm = algorithm;
  }

  static async generate(algorithm: KeyAlgorithm = 'ES256'): Promise<DeviceKey> {
    const params: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams = algorithm === 'ES256'
      ? EC_PARAMS
      : { ...RSA_PARAMS, modulusLength: RSA_BITS, publicExponent: new Uint8Array([1, 0, 1]) };
    const pair = await agentCrypto.subtle.generateKey(params, true, ['sign', 'verify']);
    const pkcs8 = await agentCrypto.subtle.exportKey('pkcs8', pair.privateKey);
    return new DeviceKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }), algorithm);
  }

  /** Loads a PKCS#8 (or traditional) PEM key; only P-256 and RSA of at least 2048 bits are usable. */
  static fromPem(pem: string): DeviceKey {
    const key = createPrivateKey({ key: pem, format: 'pem' });
    return new DeviceKey(key, algorithmOf(key));
  }

  /** PKCS#8 PEM, the form kept in key.pem. */
  toPem(): string {
    return this.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  /** SubjectPublicKeyInfo DER, for comparing with the key inside a certificate. */
  publicKeyDer(): Buffer {
    return this.publicKey.export({ format: 'der', type: 'spki' });
  }

  /** True when the certificate carries this key, so a satellite cannot hand the device someone else's cert. */
  matchesCertificate(certificate: x509.X509Certificate): boolean {
    return this.publicKeyDer().equals(Buffer.from(certificate.publicKey.rawData));
  }

  /** The envelope signature of DESIGN §4.1: SHA-256 over the payload's UTF-8 bytes, base64 DER. */
  sign(payload: string): string {
    return sign('sha256', Buffer.from(payload, 'utf8'), this.privateKey).toString('base64');
  }

  /** A PKCS#10 request with CN = the device serial number, signed with this key as proof of possession. */
  async createCsr(commonName: string): Promise<string> {
    const params = this.algorithm === 'ES256' ? EC_PARAMS : RSA_PARAMS;
    const pkcs8 = this.privateKey.export({ format: 'der', type: 'pkcs8' });
    const privateKey = await agentCrypto.subtle.importKey('pkcs8', pkcs8, params, false, ['sign']);
    const publicKey = await agentCrypto.subtle.importKey('spki', this.publicKeyDer(), params, true, ['verify']);
    const signingAlgorithm = this.algorithm === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' };
    const request = await x509.Pkcs10CertificateRequestGenerator.create({
      name: [{ CN: [commonName] }],
      keys: { privateKey, publicKey },
      signingAlgorithm,
    }, agentCrypto);
    return request.toString('pem');
  }
}

function algorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= RSA_BITS) return 'RS256';
  throw new Error('The device key must be EC P-256 or RSA of at least 2048 bits');
}
