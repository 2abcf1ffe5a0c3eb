import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DeviceIntakeWorker } from '../../server/device/device-intake-worker.js';
import { InlineDeviceIntake, type IntakeResult } from '../../server/device/device-intake.js';
import { siblingModule } from '../../server/workers/module-worker-launcher.js';
import { assertFailed } from '../support/device-probe.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, type Device, type Fixture } from '../support/satellite-fixture.js';
import { buildMessage, envelope } from '../support/test-device.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-intake-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Until the worker said it is ready (bounded: a worker that never starts fails the test, it does not hang it). */
async function readyOf(worker: DeviceIntakeWorker): Promise<void> {
  for (let turn = 0; turn < 400 && !worker.ready; turn++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok(worker.ready, 'the device read worker started');
}

/** What a caller can compare of an intake: errors by code and message (their stacks differ by thread). */
function comparable(result: IntakeResult): unknown {
  return JSON.parse(JSON.stringify(result, (key, value: unknown) => {
    if (value instanceof Error) return { error: value.name, message: value.message, code: (value as { code?: string }).code };
    // A Buffer has become { type: 'Buffer', data } (its toJSON) before it gets here; a Uint8Array has not.
    if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
    if (isBufferJson(value)) return Buffer.from(value.data).toString('hex');
    if (key === 'stack') return undefined;
    return value;
  }));
}

function isBufferJson(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data);
}

describe('device requests parsed and read on the device read worker', () => {
  const databaseFile = join(dir, 'satellite.db');
  const logLines: string[] = [];
  const logger = pino({ level: 'warn' }, new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  }));
  let f: Fixture;
  let device: Device;
  let inline: InlineDeviceIntake;
  const otherWorker = (exportName: string): DeviceIntakeWorker => new DeviceIntakeWorker({
    databaseFile, logger, fallback: inline, entry: { url: siblingModule(import.meta.url, '../support/dying-intake-thread'), exportName },
  });

  beforeAll(async () => {
    f = await labSatellite({ databaseFile, deviceReadWorker: true, logger });
    inline = new InlineDeviceIntake(f.app.satellite.uow);
    device = await registerDevice(f);
  });
  afterAll(() => f.app.close());

  it('takes every kind of request as the event loop does', async () => {
    const worker = new DeviceIntakeWorker({ databaseFile, logger, fallback: inline });
    try {
      await readyOf(worker);
      const authorize = signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 1 }] });
      assert.equal((await post(f.app, authorize)).message?.status, 'OK');
      const other = await registerDevice(f);
      const texts = [
        authorize, // a retry: its stored answer
        signedRequest(f, device, 'AUTHORIZE', { entitlements: [] }), // a new message: the credential and the record
        signedRequest(f, device, 'AUTHORIZE', { entitlements: [] }, { messageId: JSON.parse(JSON.parse(authorize).payload).message_id }), // reused id
        envelope(buildMessage({ type: 'AUTHORIZE', udi: device.udi, productInstanceId: device.instanceId, now: f.clock.now(), body: { entitlements: [] } }),
          { key: other.key, keyId: other.keyId }), // another instance's certificate
        envelope(buildMessage({ type: 'AUTHORIZE', udi: device.udi, productInstanceId: 'no-such-instance', now: f.clock.now(), body: { entitlements: [] } }),
          { key: device.key, keyId: device.keyId }),
        envelope(buildMessage({ type: 'REGISTER', udi: device.udi, now: f.clock.now(), body: { id_token: 'x', csr: 'y' } })),
        '{"payload": 1}', 'not json',
      ];
      for (const text of texts) {
        assert.deepEqual(comparable(await worker.take(text)), comparable(await inline.take(text)), text.slice(0, 120));
      }
    } finally {
      await worker.close();
    }
  });

  it('serves the satellite\'s own device path, retries and refusals included', async () => {
    const own = f.app.satellite.deviceIntake;
    assert.ok(own instanceof DeviceIntakeWorker);
    await readyOf(own);
    const text = signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 2 }] });
    const first = await post(f.app, text);
    assert.equal(first.message?.status, 'OK', first.text);
    assert.equal((await post(f.app, text)).text, first.text, 'a retry gets the stored answer');
    const forged = signedRequest(f, device, 'AUTHORIZE', { entitlements: [] }, { messageId: JSON.parse(JSON.parse(text).payload).message_id });
    assertFailed(await post(f.app, forged), 'REPLAY_DETECTED');
  });

  it('reads on the event loop what a dying worker held, and stays there when workers keep dying', async () => {
    logLines.length = 0;
    const worker = otherWorker('serveDyingDeviceIntake');
    try {
      for (let death = 0; death < 3; death++) {
        await readyOf(worker);
        const result = await worker.take(signedRequest(f, device, 'AUTHORIZE', { entitlements: [] }));
        assert.equal(result.kind, 'parsed', 'answered inline after the worker died');
      }
      assert.equal(worker.ready, false);
      const result = await worker.take(signedRequest(f, device, 'AUTHORIZE', { entitlements: [] }));
      assert.equal(result.kind === 'parsed' && 'credential' in result.early && result.early.credential !== null && 'instance' in result.early.credential, true);
      assert.ok(logLines.some((line) => line.includes('keep dying')), logLines.join(''));
    } finally {
      await worker.close();
    }
  });

  it('redoes on the event loop a job the worker failed', async () => {
    logLines.length = 0;
    const worker = otherWorker('serveFailingDeviceIntake');
    try {
      await readyOf(worker);
      const text = signedRequest(f, device, 'AUTHORIZE', { entitlements: [] });
      assert.deepEqual(comparable(await worker.take(text)), comparable(await inline.take(text)));
      assert.ok(logLines.some((line) => line.includes('failed a request')), logLines.join(''));
    } finally {
      await worker.close();
    }
    await assert.rejects(worker.take('{}'), /shutting down/);
  });
});
