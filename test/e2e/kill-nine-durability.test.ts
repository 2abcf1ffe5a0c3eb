import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { startSatellite } from '../../server/main.js';
import { PKI_FILES } from '../../server/pki/pki-file-store.js';
import { SatelliteSeeder } from '../../server/seed/satellite-seeder.js';
import { satelliteEnv, startProcess, type RunningProcess } from '../support/sync-processes.js';
import { buildMessage, certificateSerial, csrFor, envelope, newTestKey, openEnvelope, randomUdi, type TestKey, type Udi } from '../support/test-device.js';

/**
 * The design under load, as a real process: the device fast path, the crypto worker pool and group commit.
 * (1) A token with max uses N gets exactly N registrations out of many concurrent REGISTERs.
 * (2) kill -9 in the middle of an AUTHORIZE stream loses no answered request: every message the server
 *     answered OK is in the database after the crash (durable before answered: its instance's record counts it
 *     and refuses it again), the file passes sqlite3's integrity_check, and a retry of a device's latest
 *     message gets the stored answer back, byte for byte.
 */
const sqlite = promisify(execFile);
const TAG = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';
const MAX_USES = 25;
const REGISTER_ATTEMPTS = 80;
const AUTHORIZE_TOTAL = 3000;
const IN_FLIGHT = 64;
const KILL_AFTER_ANSWERS = 400;
const READY = /is serving on https:\/\/[^\s]+:(\d+)/;

interface Device { key: TestKey; udi: Udi; instanceId: string; keyId: string }
interface Answer { status: number; body: string }
interface ReplayRow { instance_id: string; message_id: string; nonces: string; nonce_watermark: number; messages_answered: number }

function messageOf(request: string): { instanceId: string; nonce: string; timestamp: number } {
  const message = JSON.parse((JSON.parse(request) as { payload: string }).payload) as {
    nonce: string; timestamp: number; sender: { product_instance_id: string };
  };
  return { instanceId: message.sender.product_instance_id, nonce: message.nonce, timestamp: message.timestamp };
}

function client(port: number, rootCa: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT, ca: rootCa });
  return {
    post(body: string): Promise<Answer> {
      return new Promise((resolve, reject) => {
        const req = httpsRequest({
          host: '127.0.0.1', servername: 'localhost', port, path: '/SmartTransport', method: 'POST', agent,
          headers: { 'content-type': 'application/json' },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

function portOf(running: RunningProcess): number {
  return Number(READY.exec(running.banner)?.[1]);
}

async function query(db: string, sql: string): Promise<string> {
  return (await sqlite('sqlite3', [db, sql])).stdout.trim();
}

/** The instances' replay records, read by the sqlite3 tool. */
async function replayRows(db: string): Promise<ReplayRow[]> {
  const out = (await sqlite('sqlite3', ['-json', db, 'SELECT * FROM instance_replay'])).stdout.trim();
  return out === '' ? [] : (JSON.parse(out) as ReplayRow[]);
}

describe('kill -9 under load loses no answered write, and token max uses stay exact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-kill9-'));
  const dataDir = join(dir, 'data');
  const db = join(dataDir, 'satellite.db');
  const env = satelliteEnv(dataDir, {
    SATELLITE_HOSTNAMES: 'localhost', SATELLITE_CRYPTO_WORKERS: '1', SATELLITE_DEVICE_KEY_CACHE: '0', SATELLITE_DEVICE_RATE_LIMIT: '0',
  });
  let limitedTokenId = '';
  let limitedSecret = '';
  let openSecret = '';
  let registerOutcomes: string[] = [];
  const answered = new Map<string, { request: string; response: string }>();
  let failedAfterKill = 0;
  let devices: Device[] = [];
  let rootCa = '';

  beforeAll(async () => {
    // Seeded in-process, then served by a separate process that is killed.
    const seeding = await startSatellite(loadConfig({ ...env, SATELLITE_LOG_LEVEL: 'silent' }), { logger: pino({ level: 'silent' }) });
    const seed = new SatelliteSeeder(seeding.satellite);
    seed.account('Acme');
    seed.virtualAccount('Acme', 'Lab');
    seed.licenseLine('Acme', 'Lab', { tag: TAG, displayName: 'UCM Enhanced', quantity: 1_000_000 });
    const limited = seed.token('Acme', 'Lab', { maxUses: MAX_USES });
    limitedTokenId = limited.token.id;
    limitedSecret = limited.secret;
    openSecret = seed.token('Acme', 'Lab', { maxUses: null }).secret;
    await seeding.close();
    rootCa = readFileSync(join(dataDir, 'pki', PKI_FILES.rootCertificatePem), 'utf8');

    const server = await startProcess(env, ['serve'], READY, 60_000);
    const c = client(portOf(server), rootCa);
    try {
      const register = async (secret: string): Promise<{ outcome: string; device: Device | null }> => {
        const key = await newTestKey();
        const udi = randomUdi();
        const message = buildMessage({ type: 'REGISTER', udi, now: Date.now(), body: { id_token: secret, csr: await csrFor(key, udi.udi_serial_number) } });
        const res = await c.post(envelope(message));
        const m = openEnvelope(res.body).message;
        if (m.status !== 'OK' || !m.product_instance_id || !m.body.id_certificate) return { outcome: m.error?.code ?? m.status, device: null };
        return { outcome: 'OK', device: { key, udi, instanceId: m.product_instance_id, keyId: certificateSerial(m.body.id_certificate) } };
      };
      registerOutcomes = (await Promise.all(Array.from({ length: REGISTER_ATTEMPTS }, () => register(limitedSecret)))).map((r) => r.outcome);
      devices = (await Promise.all(Array.from({ length: 16 }, () => register(openSecret)))).flatMap((r) => (r.device ? [r.device] : []));
      assert.equal(devices.length, 16);

      const bodies = Array.from({ length: AUTHORIZE_TOTAL }, (_, i) => {
        const device = devices[i % devices.length] as Device;
        const message = buildMessage({
          type: 'AUTHORIZE', udi: device.udi, productInstanceId: device.instanceId, now: Date.now(),
          body: { entitlements: [{ tag: TAG, count: 1 + (i % 5) }] },
        });
        return { id: String(message.message_id), text: envelope(message, { key: device.key, keyId: device.keyId }) };
      });
      let next = 0;
      let killed = false;
      const lane = async (): Promise<void> => {
        while (next < bodies.length) {
          const body = bodies[next] as { id: string; text: string };
          next += 1;
          try {
            const res = await c.post(body.text);
            const m = openEnvelope(res.body).message;
            if (res.status === 200 && m.status === 'OK') answered.set(body.id, { request: body.text, response: res.body });
          } catch {
            failedAfterKill += 1;
            if (!killed) throw new Error('a request failed before the server was killed');
          }
          if (!killed && answered.size >= KILL_AFTER_ANSWERS) {
            killed = true;
            server.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, () => lane()));
      await server.stop();
    } finally {
      c.close();
    }
  }, 180_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`grants exactly ${MAX_USES} of ${REGISTER_ATTEMPTS} concurrent REGISTERs on a token with max uses ${MAX_USES}`, async () => {
    assert.equal(registerOutcomes.filter((o) => o === 'OK').length, MAX_USES);
    assert.deepEqual([...new Set(registerOutcomes.filter((o) => o !== 'OK'))], ['TOKEN_EXHAUSTED']);
    assert.equal(await query(db, `SELECT uses FROM registration_tokens WHERE id = '${limitedTokenId}'`), String(MAX_USES));
  });

  it('was killed with requests in flight', () => {
    assert.ok(answered.size >= KILL_AFTER_ANSWERS);
    assert.ok(answered.size < AUTHORIZE_TOTAL, 'the kill came before the stream ended');
    assert.ok(failedAfterKill > 0, 'some requests were cut off by the kill');
  });

  it('passes sqlite3 integrity_check after the crash, and holds every answered AUTHORIZE', async () => {
    assert.equal(await query(db, 'PRAGMA integrity_check'), 'ok');
    // Each instance keeps its last answer and last nonces (migration 0016): an answered message is durable when its
    // instance counts it and still refuses it, its nonce kept or its timestamp at or before the watermark.
    const records = new Map((await replayRows(db)).map((row) => [row.instance_id, row] as const));
    const perInstance = new Map<string, number>();
    const lost: string[] = [];
    for (const [id, { request }] of answered) {
      const message = messageOf(request);
      perInstance.set(message.instanceId, (perInstance.get(message.instanceId) ?? 0) + 1);
      const row = records.get(message.instanceId);
      const nonces = row ? (JSON.parse(row.nonces) as Array<[number, string]>) : [];
      const remembered = row !== undefined && (row.message_id === id || nonces.some(([, n]) => n === message.nonce)
        || message.timestamp <= row.nonce_watermark);
      if (!remembered) lost.push(id);
    }
    assert.deepEqual(lost, [], `${lost.length} of ${answered.size} answered messages are missing after kill -9`);
    for (const [instanceId, count] of perInstance) {
      assert.ok((records.get(instanceId)?.messages_answered ?? 0) >= count, `instance ${instanceId} counts every answered message`);
    }
  });

  it('restarts on the same file: a retry of an answered message gets the stored answer, or is refused, never acted on twice', async () => {
    const again = await startProcess(env, ['serve'], READY, 60_000);
    const c = client(portOf(again), rootCa);
    try {
      const latest = new Map((await replayRows(db)).map((row) => [row.instance_id, row.message_id] as const));
      let byteForByte = 0;
      // The last answer of each device is the one most at risk; retry it.
      const lastOfDevice = new Map<string, { id: string; request: string; response: string }>();
      for (const [id, a] of answered) lastOfDevice.set(messageOf(a.request).instanceId, { id, ...a });
      for (const [instanceId, { id, request, response }] of lastOfDevice) {
        const retry = await c.post(request);
        assert.equal(retry.status, 200);
        if (latest.get(instanceId) === id) {
          assert.equal(retry.body, response, 'a retry after the crash gets the stored answer, byte for byte');
          byteForByte += 1;
        } else {
          // A later message of this device committed but its answer was cut off by the kill.
          assert.equal(openEnvelope(retry.body).message.error?.code, 'REPLAY_DETECTED');
        }
      }
      assert.ok(byteForByte > 0, 'some device retried its latest committed message');
      const device = devices[0] as Device;
      const fresh = buildMessage({
        type: 'AUTHORIZE', udi: device.udi, productInstanceId: device.instanceId, now: Date.now(), body: { entitlements: [{ tag: TAG, count: 1 }] },
      });
      const res = await c.post(envelope(fresh, { key: device.key, keyId: device.keyId }));
      assert.equal(openEnvelope(res.body).message.body.authorization?.status, 'AUTHORIZED');
    } finally {
      c.close();
      await again.stop();
    }
  }, 90_000);
});
