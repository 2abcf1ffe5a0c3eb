import assert from 'node:assert/strict';
import request from 'supertest';
import type { PoolUsage } from '../../licensing/licenses/license-pool.js';
import { post, signedRequest, type Device, type Fixture } from './satellite-fixture.js';
import { buildMessage, certificateSerial, csrFor, envelope, newTestKey, randomUdi, type ResponseMessage, type Udi } from './test-device.js';

/** Helpers for the product instance, event log and alert suites. */

export const API = '/backend/api/v1';

export interface NamedDeviceOptions {
  hostname?: string | null;
  udi?: Udi;
  token?: string;
}

/** Registers over the JSON transport with a chosen hostname (registerDevice always sends 'sw-test'). */
export async function registerNamed(f: Fixture, options: NamedDeviceOptions = {}): Promise<Device> {
  const key = await newTestKey();
  const udi = options.udi ?? randomUdi();
  const message = buildMessage({
    type: 'REGISTER', udi, now: f.clock.now(),
    body: { id_token: options.token ?? f.token.secret, csr: await csrFor(key, udi.udi_serial_number) },
  });
  const sender = { ...(message.sender as Record<string, unknown>), hostname: options.hostname === undefined ? 'sw-test' : options.hostname };
  const res = await post(f.app, envelope({ ...message, sender }));
  const m = res.message;
  if (!m || m.status !== 'OK' || !m.product_instance_id || !m.body.id_certificate) throw new Error(`registration failed: ${res.text}`);
  return { key, udi, instanceId: m.product_instance_id, keyId: certificateSerial(m.body.id_certificate), certificatePem: m.body.id_certificate };
}

/** AUTHORIZE over the JSON transport; returns the signed answer's message, which must be OK. */
export async function authorize(f: Fixture, device: Device, entitlements: Array<{ tag: string; count: number }>): Promise<ResponseMessage> {
  const res = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements }));
  assert.ok(res.message, res.text);
  assert.equal(res.message.status, 'OK', res.text);
  return res.message;
}

export function usageOf(f: Fixture, account: string, va: string, tag: string): PoolUsage {
  const id = f.app.satellite.inventory.findVirtualAccount(account, va).id;
  return f.app.satellite.uow.read((r) => r.licenses.getUsage(id, tag));
}

export function getAs(f: Fixture, path: string, bearer: string | null): request.Test {
  const req = request(f.app).get(`${API}${path}`);
  return bearer === null ? req : req.set('authorization', bearer);
}

export function postAs(f: Fixture, path: string, bearer: string, body: Record<string, unknown>): request.Test {
  return request(f.app).post(`${API}${path}`).set('authorization', bearer).send(body);
}

export function deleteAs(f: Fixture, path: string, bearer: string): request.Test {
  return request(f.app).delete(`${API}${path}`).set('authorization', bearer);
}

/** A 4xx in the project's error shape whose message names what was wrong. */
export function assertError(res: request.Response, status: number, code: string, names?: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.error?.code, code, res.text);
  if (names) assert.match(String(res.body.error.message), names);
}
