import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, randomUUID, sign, webcrypto, type KeyObject } from 'node:crypto';

x509.cryptoProvider.set(globalThis.crypto);

export interface TestKey {
  alg: 'ES256' | 'RS256';
  privateKey: KeyObject;
  keys: webcrypto.CryptoKeyPair;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as const;

export async function newTestKey(alg: 'ES256' | 'RS256' = 'ES256', modulusLength = 2048): Promise<TestKey> {
  const params = alg === 'ES256' ? EC : { ...RSA, modulusLength };
  const keys = (await webcrypto.subtle.generateKey(params, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { alg, keys, privateKey: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }) };
}

export async function csrFor(key: TestKey, cn = 'device'): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${cn}`,
    keys: key.keys,
    signingAlgorithm: key.alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' },
  });
  return csr.toString('pem');
}

export interface Udi { udi_pid: string; udi_serial_number: string; udi_vid?: string; host_identifier?: string }

export function randomUdi(): Udi {
  return { udi_pid: 'C9300-24UX', udi_serial_number: `FCW${randomBytes(4).toString('hex').toUpperCase()}`, udi_vid: 'V02' };
}

export const PRODUCT_TAG = 'regid.2017-05.com.cisco.C9300,v1_727af1d9-6c39-4444-b301-863f81445b72';

export interface MessageOptions {
  type: string;
  body: Record<string, unknown>;
  udi: Udi;
  productInstanceId?: string | null;
  now: number;
  messageId?: string;
  nonce?: string;
  version?: string;
}

export function buildMessage(o: MessageOptions): Record<string, unknown> {
  return {
    version: o.version ?? '1.0',
    type: o.type,
    message_id: o.messageId ?? randomUUID(),
    nonce: o.nonce ?? randomBytes(18).toString('base64url'),
    timestamp: o.now,
    sender: {
      sudi: o.udi,
      product_tag: PRODUCT_TAG,
      hostname: 'sw-test',
      ip_address: '10.1.2.3',
      ...(o.productInstanceId ? { product_instance_id: o.productInstanceId } : {}),
    },
    body: o.body,
  };
}

/** Wraps a message in the §4.1 envelope; unsigned when no key is given (REGISTER). */
export function envelope(message: Record<string, unknown> | string, signer?: { key: TestKey; keyId: string }): string {
  const payload = typeof message === 'string' ? message : JSON.stringify(message);
  const signature = signer
    ? { alg: signer.key.alg, key_id: signer.keyId, value: sign('sha256', Buffer.from(payload, 'utf8'), signer.key.privateKey).toString('base64') }
    : null;
  return JSON.stringify({ payload, signature });
}

export interface ResponseMessage {
  type: string;
  status: string;
  in_reply_to: string | null;
  nonce: string | null;
  product_instance_id: string | null;
  error: { code: string; message: string } | null;
  body: Record<string, unknown> & {
    id_certificate?: string;
    certificate_chain?: string[];
    export_control?: string;
    authorization?: { status: string; entitlements: Array<{ tag: string; requested: number; status: string; display_name: string | null }> };
    registration?: { status: string; expires_at?: number; next_renewal_at?: number };
  };
}

export function openEnvelope(text: string): { message: ResponseMessage; payload: string; signature: { alg: string; key_id: string; value: string } } {
  const parsed = JSON.parse(text) as { payload: string; signature: { alg: string; key_id: string; value: string } };
  return { message: JSON.parse(parsed.payload) as ResponseMessage, payload: parsed.payload, signature: parsed.signature };
}

export function certificateSerial(pem: string): string {
  return new x509.X509Certificate(pem).serialNumber.toLowerCase().replace(/^0+/, '');
}
