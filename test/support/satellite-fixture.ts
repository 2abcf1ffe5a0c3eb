import { X509Certificate, verify } from 'node:crypto';
import request from 'supertest';
import { ManualClock } from '../../licensing/shared/clock.js';
import { createSatelliteApp, type SatelliteApp, type SatelliteAppOptions } from '../../server/create-satellite-app.js';
import type { SeededToken } from '../../server/seed/satellite-seeder.js';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import {
  buildMessage, certificateSerial, csrFor, envelope, newTestKey, openEnvelope, randomUdi,
  type ResponseMessage, type TestKey, type Udi,
} from './test-device.js';

export const TAG_A = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';
export const TAG_B = 'regid.2017-05.com.cisco.DNA_Advantage,1.0_e2d2b2b1-7a8c-4d3e-8f6a-1b2c3d4e5f60';

export interface Fixture {
  app: SatelliteApp;
  clock: ManualClock;
  token: SeededToken;
}

/** A satellite with account "Acme", VA "Lab" holding 10 x TAG_A and 2 x TAG_B, and one token. */
export async function labSatellite(options: SatelliteAppOptions = {}): Promise<Fixture> {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 12));
  const app = await createSatelliteApp({ clock, ...options });
  app.seed.account('Acme');
  app.seed.virtualAccount('Acme', 'Lab');
  app.seed.licenseLine('Acme', 'Lab', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 10 });
  app.seed.licenseLine('Acme', 'Lab', { tag: TAG_B, displayName: 'DNA Advantage', quantity: 2, licenseType: 'TERM' });
  const token = app.seed.token('Acme', 'Lab', { maxUses: 1000 });
  return { app, clock, token };
}

export interface Device {
  key: TestKey;
  udi: Udi;
  instanceId: string;
  keyId: string;
  certificatePem: string;
}

export async function post(app: SatelliteApp, envelopeText: string): Promise<{ status: number; text: string; message: ResponseMessage | null }> {
  const res = await request(app).post(DEVICE_TRANSPORT_PATHS.json).set('content-type', 'application/json').send(envelopeText);
  const message = res.status === 200 ? openEnvelope(res.text).message : null;
  if (res.status === 200) assertSignedBySatellite(app, res.text);
  return { status: res.status, text: res.text, message };
}

/** Every 200 answer must verify with the satellite signing key (DESIGN §4.1). */
export function assertSignedBySatellite(app: SatelliteApp, text: string): void {
  const { payload, signature } = openEnvelope(text);
  const signing = new X509Certificate(app.satellite.pki.signingCertificatePem);
  if (signature.key_id !== certificateSerial(app.satellite.pki.signingCertificatePem)) throw new Error('response key_id is not the signing cert');
  if (!verify('sha256', Buffer.from(payload, 'utf8'), signing.publicKey, Buffer.from(signature.value, 'base64'))) {
    throw new Error('response signature does not verify');
  }
}

export async function registerDevice(f: Fixture, options: { alg?: 'ES256' | 'RS256'; udi?: Udi; token?: string } = {}): Promise<Device> {
  const key = await newTestKey(options.alg ?? 'ES256');
  const udi = options.udi ?? randomUdi();
  const message = buildMessage({
    type: 'REGISTER', udi, now: f.clock.now(),
    body: { id_token: options.token ?? f.token.secret, csr: await csrFor(key, udi.udi_serial_number) },
  });
  const res = await post(f.app, envelope(message));
  const m = res.message;
  if (!m || m.status !== 'OK' || !m.product_instance_id || !m.body.id_certificate) {
    throw new Error(`registration failed: ${res.text}`);
  }
  return {
    key, udi, instanceId: m.product_instance_id, keyId: certificateSerial(m.body.id_certificate),
    certificatePem: m.body.id_certificate,
  };
}

export function signedRequest(f: Fixture, device: Device, type: string, body: Record<string, unknown>, extra: { messageId?: string; nonce?: string; now?: number } = {}): string {
  return envelope(
    buildMessage({ type, body, udi: device.udi, productInstanceId: device.instanceId, now: extra.now ?? f.clock.now(), ...extra }),
    { key: device.key, keyId: device.keyId },
  );
}
