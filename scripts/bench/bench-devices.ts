import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { KeyObject, randomBytes, randomUUID, sign, webcrypto, X509Certificate } from 'node:crypto';

x509.cryptoProvider.set(globalThis.crypto);

/** The license every bench device reports; the seeded line holds far more than the devices can use. */
export const BENCH_TAG = 'regid.2024-01.com.example.BenchFeature,1.0_5b0c2f4e-8a61-4c6b-9d3e-0f1a2b3c4d5e';
const PRODUCT_TAG = 'regid.2017-05.com.cisco.C9300,v1_727af1d9-6c39-4444-b301-863f81445b72';
const EC_PARAMS = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export interface BenchUdi { udi_pid: string; udi_serial_number: string; udi_vid: string }

/** A device ready to register: its CSR proves possession of `privateKey`. */
export interface UnregisteredDevice {
  udi: BenchUdi;
  privateKey: KeyObject;
  csrPem: string;
}

/** A registered device: everything needed to sign requests as its ID certificate (DESIGN §4.1). */
export interface BenchDevice {
  udi: BenchUdi;
  privateKey: KeyObject;
  instanceId: string;
  keyId: string;
}

/** Serial numbers carry a per-run prefix so repeated runs never collide on a UDI. */
export function benchUdi(runPrefix: string, index: number): BenchUdi {
  return { udi_pid: 'C9300-24UX', udi_serial_number: `${runPrefix}${index.toString(36).toUpperCase().padStart(6, '0')}`, udi_vid: 'V02' };
}

export function newRunPrefix(): string {
  return `B${randomBytes(3).toString('hex').toUpperCase()}`;
}

/** A fresh P-256 key and a real PKCS#10 request for it, the way a smart agent makes one. */
export async function newUnregisteredDevice(udi: BenchUdi): Promise<UnregisteredDevice> {
  const keys = await webcrypto.subtle.generateKey(EC_PARAMS, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${udi.udi_serial_number}`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  return { udi, privateKey: KeyObject.from(keys.privateKey), csrPem: csr.toString('pem') };
}

/** Runs `make` for every index with at most `parallel` in flight, keeping the results in index order. */
export async function mapParallel<T>(count: number, parallel: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await make(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, () => worker()));
  return results;
}

interface MessageParts {
  type: 'REGISTER' | 'AUTHORIZE';
  udi: BenchUdi;
  productInstanceId: string | null;
  body: Record<string, unknown>;
  now: number;
}

function messagePayload(parts: MessageParts): string {
  return JSON.stringify({
    version: '1.0',
    type: parts.type,
    message_id: randomUUID(),
    // Every request gets its own nonce and message_id: the bench must never look like a replay.
    nonce: randomBytes(18).toString('base64url'),
    timestamp: parts.now,
    sender: {
      sudi: parts.udi,
      product_tag: PRODUCT_TAG,
      hostname: `bench-${parts.udi.udi_serial_number.toLowerCase()}`,
      ip_address: '10.20.30.40',
      ...(parts.productInstanceId ? { product_instance_id: parts.productInstanceId } : {}),
    },
    body: parts.body,
  });
}

/** REGISTER travels unsigned: the CSR inside is the proof of key possession. */
export function registerEnvelope(device: UnregisteredDevice, tokenSecret: string, now: number): string {
  const payload = messagePayload({
    type: 'REGISTER', udi: device.udi, productInstanceId: null, now,
    body: { id_token: tokenSecret, csr: device.csrPem, force: false },
  });
  return JSON.stringify({ payload, signature: null });
}

export function authorizeEnvelope(device: BenchDevice, now: number): string {
  const payload = messagePayload({
    type: 'AUTHORIZE', udi: device.udi, productInstanceId: device.instanceId, now,
    body: { entitlements: [{ tag: BENCH_TAG, count: 1 }] },
  });
  const value = sign('sha256', Buffer.from(payload, 'utf8'), device.privateKey).toString('base64');
  return JSON.stringify({ payload, signature: { alg: 'ES256', key_id: device.keyId, value } });
}

export interface ResponseMessage {
  status: string;
  product_instance_id: string | null;
  error: { code: string; message: string } | null;
  body: {
    id_certificate?: string;
    authorization?: { status: string };
  };
}

export interface OpenedResponse {
  message: ResponseMessage;
  payload: string;
  signature: { key_id: string; value: string } | null;
}

export function openResponse(envelopeText: string): OpenedResponse {
  const envelope = JSON.parse(envelopeText) as { payload: string; signature: { key_id: string; value: string } | null };
  return { message: JSON.parse(envelope.payload) as ResponseMessage, payload: envelope.payload, signature: envelope.signature };
}

/** key_id form of DESIGN §4.1: lowercase hex without leading zeros. */
export function certificateKeyId(pem: string): string {
  return new X509Certificate(pem).serialNumber.toLowerCase().replace(/^0+/, '');
}

/** Turns an OK REGISTER answer into a device that can sign; anything else is a bench failure. */
export function registeredDevice(device: UnregisteredDevice, responseText: string): BenchDevice {
  const { message } = openResponse(responseText);
  const certificate = message.body.id_certificate;
  if (message.status !== 'OK' || !message.product_instance_id || !certificate) {
    throw new Error(`REGISTER of ${device.udi.udi_serial_number} failed: ${message.error?.code ?? message.status} ${message.error?.message ?? ''}`);
  }
  return { udi: device.udi, privateKey: device.privateKey, instanceId: message.product_instance_id, keyId: certificateKeyId(certificate) };
}
