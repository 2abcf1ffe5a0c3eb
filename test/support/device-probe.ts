import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { PoolUsage } from '../../licensing/licenses/license-pool.js';
import { post, signedRequest, TAG_A, TAG_B, type Device, type Fixture } from './satellite-fixture.js';
import {
  buildMessage, certificateSerial, csrFor, envelope, newTestKey, randomUdi,
  type ResponseMessage, type TestKey, type Udi,
} from './test-device.js';

/** Helpers for refusal tests: build REGISTERs by hand and prove a refusal left no trace. */

export interface RegisterOptions {
  key?: TestKey;
  udi?: Udi;
  token?: string;
  force?: boolean;
  csr?: string;
  messageId?: string;
  nonce?: string;
  now?: number;
}

export interface RegisterRequest {
  text: string;
  key: TestKey;
  udi: Udi;
  messageId: string;
}

export async function registerRequest(f: Fixture, o: RegisterOptions = {}): Promise<RegisterRequest> {
  const key = o.key ?? await newTestKey();
  const udi = o.udi ?? randomUdi();
  const messageId = o.messageId ?? randomUUID();
  const body: Record<string, unknown> = { id_token: o.token ?? f.token.secret, csr: o.csr ?? await csrFor(key, udi.udi_serial_number) };
  if (o.force !== undefined) body.force = o.force;
  const message = buildMessage({ type: 'REGISTER', udi, body, now: o.now ?? f.clock.now(), messageId, nonce: o.nonce });
  return { text: envelope(message), key, udi, messageId };
}

/** The Device a successful REGISTER answer describes. */
export function deviceFrom(message: ResponseMessage | null, request: RegisterRequest): Device {
  const pem = message?.body.id_certificate;
  const instanceId = message?.product_instance_id;
  if (message?.status !== 'OK' || !pem || !instanceId) throw new Error(`registration failed: ${JSON.stringify(message)}`);
  return { key: request.key, udi: request.udi, instanceId, keyId: certificateSerial(pem), certificatePem: pem };
}

export interface Snapshot {
  tokenUses: number | null;
  registered: number;
  instanceRows: number;
  certificateRows: number;
  usageA: PoolUsage;
  usageB: PoolUsage;
}

export function countRows(f: Fixture, table: 'product_instances' | 'id_certificates' | 'device_messages' | 'device_nonces'): number {
  const n: unknown = f.app.satellite.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get();
  assert.equal(typeof n, 'number');
  return Number(n);
}

/** Everything a device request could change: token uses, instances, certificates and pool usage. */
export function snapshot(f: Fixture, tokenId: string = f.token.token.id): Snapshot {
  const va = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab');
  const state = f.app.satellite.uow.read((r) => ({
    tokenUses: r.tokens.findById(tokenId)?.uses ?? null,
    registered: r.instances.countRegistered(),
    usageA: r.licenses.getUsage(va.id, TAG_A),
    usageB: r.licenses.getUsage(va.id, TAG_B),
  }));
  return { ...state, instanceRows: countRows(f, 'product_instances'), certificateRows: countRows(f, 'id_certificates') };
}

export function storedResponseCount(f: Fixture): number {
  return countRows(f, 'device_messages');
}

export function registeredInstanceOf(f: Fixture, udi: Udi): string | undefined {
  return f.app.satellite.uow.read((r) => r.instances.findRegisteredByUdi(udi.udi_pid, udi.udi_serial_number))?.id;
}

/** Suites that register many devices add TAG_A licenses so the pool never runs dry between cases. */
export function roomyPool(f: Fixture, quantity = 1000): void {
  f.app.seed.licenseLine('Acme', 'Lab', { tag: TAG_A, displayName: 'UCM Enhanced', quantity });
}

/** The process stays up and keeps answering: a valid AUTHORIZE from a registered device succeeds. */
export async function assertStillServes(f: Fixture, device: Device): Promise<void> {
  const res = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 1 }] }));
  assert.equal(res.status, 200, res.text);
  assert.ok(res.message, res.text);
  assert.equal(res.message.status, 'OK', res.text);
  assert.equal(res.message.body.authorization?.status, 'AUTHORIZED');
}

/** A signed FAILED answer with the given code (post() already checked the satellite signature). */
export function assertFailed(res: { status: number; text: string; message: ResponseMessage | null }, code: string, field?: RegExp): void {
  assert.equal(res.status, 200, res.text);
  assert.ok(res.message, res.text);
  assert.equal(res.message.status, 'FAILED', res.text);
  assert.equal(res.message.error?.code, code, res.text);
  assert.deepEqual(res.message.body, {});
  if (field) assert.match(res.message.error.message, field);
}
