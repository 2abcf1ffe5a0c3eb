import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Repositories } from '../../licensing/shared/unit-of-work.js';
import { buildMessage, csrFor, envelope, newTestKey, openEnvelope, randomUdi, type ResponseMessage } from '../support/test-device.js';
import { labSatellite, registerDevice, signedRequest, TAG_A, type Fixture } from '../support/satellite-fixture.js';

/**
 * Group commit (server/device/device-write-batcher.ts): device writes finishing their preparation in the same
 * event-loop turn share one transaction, each in its own savepoint. A refused request must not disturb the
 * others of its batch, and must leave none of its own writes behind.
 */
describe('device writes in a group commit', () => {
  let f: Fixture;
  const batches: number[] = [];

  beforeAll(async () => {
    f = await labSatellite();
    const uow = f.app.satellite.uow;
    const writeBatch = uow.writeBatch.bind(uow);
    uow.writeBatch = <T>(works: ReadonlyArray<(repos: Repositories) => T>) => {
      batches.push(works.length);
      return writeBatch(works);
    };
  });
  afterAll(() => f.app.close());

  async function exchange(text: string): Promise<ResponseMessage> {
    const result = await f.app.satellite.deviceHandler.handle(text);
    assert.equal(result.kind, 'answered');
    return openEnvelope(result.kind === 'answered' ? result.envelopeText : '').message;
  }

  const rows = (sql: string, ...params: string[]): unknown[] => f.app.satellite.db.prepare(sql).pluck().all(...params);

  it('commits the others when one request of the batch replays a nonce, and keeps nothing of the replay', async () => {
    const [a, b] = [await registerDevice(f), await registerDevice(f)];
    const nonce = 'same-nonce-0123456789';
    const requests = [
      signedRequest(f, a, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 2 }] }, { nonce }),
      signedRequest(f, a, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 5 }] }, { nonce }),
      signedRequest(f, b, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 3 }] }),
    ];
    const messageIds = requests.map((text) => (JSON.parse((JSON.parse(text) as { payload: string }).payload) as { message_id: string }).message_id);
    batches.length = 0;
    const answers = await Promise.all(requests.map(exchange));
    assert.deepEqual(batches, [3], 'the three requests shared one transaction');
    assert.deepEqual(answers.map((m) => [m.status, m.error?.code ?? null]), [['OK', null], ['FAILED', 'REPLAY_DETECTED'], ['OK', null]]);
    // Each instance's record holds its answered message; the replay left none.
    assert.deepEqual(rows('SELECT message_id FROM instance_replay WHERE instance_id = ?', a.instanceId), [messageIds[0]]);
    assert.deepEqual(rows('SELECT message_id FROM instance_replay WHERE instance_id = ?', b.instanceId), [messageIds[2]]);
    assert.deepEqual(rows('SELECT messages_answered FROM instance_replay WHERE instance_id = ?', a.instanceId), [1]);
    assert.deepEqual(rows('SELECT message_id FROM device_messages WHERE message_id IN (?, ?, ?)', ...messageIds), []);
    // The replay granted nothing: the pool holds exactly a's 2 and b's 3.
    const va = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab');
    assert.equal(f.app.satellite.uow.read((r) => r.licenses.getUsage(va.id, TAG_A)).authorized, 5);
    assert.deepEqual(f.app.satellite.uow.read((r) => r.instances.listEntitlements(a.instanceId)).map((e) => e.requested), [2]);
  });

  it('rolls back every write of a REGISTER refused inside the transaction, nonce included', async () => {
    const token = f.app.seed.token('Acme', 'Lab', { maxUses: 1 });
    const attempts = await Promise.all([0, 1].map(async () => {
      const key = await newTestKey('ES256');
      const udi = randomUdi();
      const message = buildMessage({ type: 'REGISTER', udi, now: f.clock.now(), body: { id_token: token.secret, csr: await csrFor(key, udi.udi_serial_number) } });
      return { udi, nonce: String(message.nonce), text: envelope(message) };
    }));
    const answers = await Promise.all(attempts.map((attempt) => exchange(attempt.text)));
    assert.deepEqual(answers.map((m) => m.status).sort(), ['FAILED', 'OK']);
    const refusedIndex = answers.findIndex((m) => m.status === 'FAILED');
    const refused = attempts[refusedIndex];
    assert.ok(refused);
    assert.equal(answers[refusedIndex]?.error?.code, 'TOKEN_EXHAUSTED');
    // The refused REGISTER had remembered its nonce before consumeUse failed; its savepoint took that back.
    assert.deepEqual(rows('SELECT nonce FROM device_nonces WHERE scope = ?', `udi:${refused.udi.udi_pid}:${refused.udi.udi_serial_number}`), []);
    assert.deepEqual(rows('SELECT id FROM product_instances WHERE udi_serial_number = ?', refused.udi.udi_serial_number), []);
    assert.equal(f.app.satellite.uow.read((r) => r.tokens.findById(token.token.id))?.uses, 1);
  });

  it('answers a message_id sent twice in one batch once, the same way both times', async () => {
    const device = await registerDevice(f);
    const text = signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 1 }] }, { messageId: randomUUID() });
    batches.length = 0;
    const [first, second] = await Promise.all([exchange(text), exchange(text)]);
    assert.deepEqual(batches, [2]);
    assert.equal(first?.status, 'OK');
    assert.deepEqual(second, first);
  });
});
