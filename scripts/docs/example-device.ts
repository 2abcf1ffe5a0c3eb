import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, randomUUID, sign, webcrypto, type KeyObject } from 'node:crypto';

/**
 * The device side of DESIGN §4, just enough to produce the documentation examples. It is a copy rather than
 * an import of test/support (scripts must not depend on tests) or agent/ (its API is still moving).
 */

x509.cryptoProvider.set(globalThis.crypto);

export interface Sudi { udi_pid: string; udi_serial_number: string; udi_vid?: string; host_identifier?: string }

export interface DeviceIdentity {
  sudi: Sudi;
  productTag: string;
  hostname: string;
  ipAddress: string;
}

interface DeviceKey {
  privateKey: KeyObject;
  keys: webcrypto.CryptoKeyPair;
}

const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

async function newP256Key(): Promise<DeviceKey> {
  const keys = (await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { keys, privateKey: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }) };
}

/** key_id form of DESIGN §4.1: lowercase hex without leading zeros. */
export function certificateSerial(pem: string): string {
  return new x509.X509Certificate(pem).serialNumber.toLowerCase().replace(/^0+/, '') || '0';
}

export interface RequestOptions {
  /** Fixed ids keep a retried request byte-identical; normally fresh ones are drawn. */
  messageId?: string;
  nonce?: string;
}

/** A smart agent with one P-256 key, which it keeps across ID certificate renewals. */
export class ExampleDevice {
  readonly identity: DeviceIdentity;
  readonly #key: DeviceKey;
  instanceId: string | null = null;
  keyId: string | null = null;

  private constructor(identity: DeviceIdentity, key: DeviceKey) {
    this.identity = identity;
    this.#key = key;
  }

  static async create(identity: DeviceIdentity): Promise<ExampleDevice> {
    return new ExampleDevice(identity, await newP256Key());
  }

  /** PKCS#10 over the device key; the satellite decides the certificate subject, so the CN is informative. */
  async csr(): Promise<string> {
    const request = await x509.Pkcs10CertificateRequestGenerator.create({
      name: `CN=${this.identity.sudi.udi_serial_number}`,
      keys: this.#key.keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    return request.toString('pem');
  }

  /** Takes on the identity a REGISTER_RESPONSE or RENEW_ID_CERT_RESPONSE hands out. */
  adopt(instanceId: string, idCertificatePem: string): void {
    this.instanceId = instanceId;
    this.keyId = certificateSerial(idCertificatePem);
  }

  /** The §4.2 message in the field order of DESIGN, wrapped in a §4.1 envelope (unsigned for REGISTER). */
  envelope(type: string, body: Record<string, unknown>, now: number, options: RequestOptions = {}): string {
    const { sudi, productTag, hostname, ipAddress } = this.identity;
    const message = {
      version: '1.0',
      type,
      message_id: options.messageId ?? randomUUID(),
      nonce: options.nonce ?? randomBytes(18).toString('base64url'),
      timestamp: now,
      sender: {
        sudi,
        product_tag: productTag,
        hostname,
        ip_address: ipAddress,
        ...(type !== 'REGISTER' && this.instanceId ? { product_instance_id: this.instanceId } : {}),
      },
      body,
    };
    const payload = JSON.stringify(message);
    if (type === 'REGISTER') return JSON.stringify({ payload, signature: null });
    if (this.keyId === null) throw new Error(`${type} needs an ID certificate; register first`);
    // ES256: base64 of the DER ECDSA-SHA256 signature over the exact UTF-8 bytes of payload.
    const value = sign('sha256', Buffer.from(payload, 'utf8'), this.#key.privateKey).toString('base64');
    return JSON.stringify({ payload, signature: { alg: 'ES256', key_id: this.keyId, value } });
  }
}
