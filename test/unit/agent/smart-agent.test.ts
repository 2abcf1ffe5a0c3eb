import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import {
  AgentStateError, InProcessTransport, ResponseVerificationError, SmartAgent, type DeviceIdentity, type SmartAgentOptions,
} from '../../../agent/index.js';
import { FakeSatellite } from './fake-satellite.js';
import { createTestPki } from './test-pki.js';

const identity: DeviceIdentity = {
  udi: { pid: 'C9300-24UX', serial: 'FCW2134L00C' },
  productTag: 'regid.2017-05.com.cisco.C9300,v1_727af1d9-6c39-4444-b301-863f81445b72',
  hostname: 'sw-core-1',
};

async function setup(options: Partial<SmartAgentOptions> & { kind?: 'json' | 'callhome' } = {}): Promise<{ satellite: FakeSatellite; agent: SmartAgent }> {
  const satellite = await FakeSatellite.create();
  const { kind, ...rest } = options;
  const transport = new InProcessTransport(satellite.send, { kind: kind ?? 'json', clock: () => satellite.now });
  const agent = await SmartAgent.open({ identity, transport, clock: () => satellite.now, ...rest });
  return { satellite, agent };
}

describe('SmartAgent', () => {
  const directories: string[] = [];
  afterAll(async () => {
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });

  for (const kind of ['json', 'callhome'] as const) {
    it(`registers, authorizes, renews and deregisters over ${kind}`, async () => {
      const { satellite, agent } = await setup({ kind });
      const registered = await agent.register('good-token');
      assert.equal(registered.status, 'OK');
      assert.equal(agent.isRegistered, true);
      const instanceId = agent.productInstanceId;
      assert.equal(instanceId, registered.product_instance_id);
      assert.deepEqual(agent.state?.certificate_chain, satellite.pki.chain);
      assert.equal(satellite.received[0]?.path.endsWith(kind === 'json' ? '/SmartTransport' : '/DeviceRequestHandler'), true);
      assert.equal(satellite.received[0]?.request.timestamp, satellite.now);

      const authorized = await agent.authorize([{ tag: 'regid.a', count: 2 }, { tag: 'bad.tag', count: 1 }]);
      assert.equal(authorized.status, 'OK');
      if (authorized.status === 'OK') {
        assert.deepEqual(authorized.body.authorization.entitlements.map((item) => item.status), ['AUTHORIZED', 'INVALID_TAG']);
      }
      assert.deepEqual(agent.state?.authorization?.requested, [{ tag: 'regid.a', count: 2 }, { tag: 'bad.tag', count: 1 }]);

      const serialBefore = agent.state?.registration?.id_certificate_serial;
      const renewed = await agent.renewIdCertificate();
      assert.equal(renewed.status, 'OK');
      assert.notEqual(agent.state?.registration?.id_certificate_serial, serialBefore);
      assert.equal(agent.productInstanceId, instanceId);
      assert.equal(agent.state?.registration?.renewed_at, satellite.now);
      assert.equal((await agent.authorize([])).status, 'OK', 'the renewed key signs the next request');

      const deregistered = await agent.deregister();
      assert.equal(deregistered.status, 'OK');
      assert.equal(agent.isRegistered, false);
      assert.equal(agent.state?.authorization, null);
      assert.deepEqual(agent.state?.certificate_chain, satellite.pki.chain, 'the trusted chain survives');
      await assert.rejects(agent.authorize([]), AgentStateError);
      assert.equal((await agent.register('good-token')).status, 'OK', 'the kept key re-registers');
    });
  }

  it('returns FAILED answers instead of throwing and keeps the identity', async () => {
    const { agent } = await setup();
    const failed = await agent.register('wrong-token');
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.error?.code, 'TOKEN_INVALID');
    assert.equal(agent.lastExchange?.signatureVerified, false, 'no satellite chain is known yet');
    assert.equal(agent.isRegistered, false);
    assert.equal(agent.state?.udi.serial, 'FCW2134L00C');
  });

  it('records a failed authorization next to the last good one', async () => {
    const { satellite, agent } = await setup();
    await agent.register('good-token');
    await agent.authorize([{ tag: 'regid.a', count: 1 }]);
    satellite.instances.clear();
    const failed = await agent.authorize([{ tag: 'regid.a', count: 1 }]);
    assert.equal(failed.error?.code, 'UNKNOWN_PRODUCT_INSTANCE');
    assert.equal(agent.lastExchange?.signatureVerified, true);
    assert.equal(agent.state?.authorization?.status, 'AUTHORIZED');
    assert.equal(agent.state?.last_authorization_error?.code, 'UNKNOWN_PRODUCT_INSTANCE');
  });

  it('throws on a response whose payload was changed in transit', async () => {
    const { satellite, agent } = await setup({ kind: 'callhome' });
    await agent.register('good-token');
    satellite.tamper = (text) => {
      const envelope = JSON.parse(text) as { payload: string };
      envelope.payload = envelope.payload.replace('"requested":1', '"requested":9');
      return JSON.stringify(envelope);
    };
    await assert.rejects(agent.authorize([{ tag: 'regid.a', count: 1 }]), (error: unknown) => (
      error instanceof ResponseVerificationError && /signature does not verify/.test(error.message)
    ));
    assert.equal(agent.state?.authorization, null);
  });

  it('refuses a satellite whose root is not the pinned one', async () => {
    const pinned = await createTestPki('Pinned');
    const { agent } = await setup({ trustedRootPem: pinned.root.pem });
    await assert.rejects(agent.register('good-token'), /not the trusted root/);
    assert.equal(agent.isRegistered, false);
  });

  it('registers with an RSA key and signs RS256', async () => {
    const { satellite, agent } = await setup({ keyAlgorithm: 'RS256' });
    assert.equal((await agent.register('good-token')).status, 'OK');
    assert.equal(agent.keyAlgorithm, 'RS256');
    assert.equal((await agent.authorize([])).status, 'OK');
    const last = JSON.parse(satellite.received.at(-1)?.envelopeText ?? '{}') as { signature: { alg: string } };
    assert.equal(last.signature.alg, 'RS256');
  });

  it('keeps its key and registration in a state directory across restarts', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'agent-'));
    directories.push(directory);
    const { satellite, agent } = await setup({ stateDir: directory });
    await agent.register('good-token');
    assert.equal((await stat(join(directory, 'key.pem'))).mode & 0o777, 0o600);

    const transport = new InProcessTransport(satellite.send);
    const reopened = await SmartAgent.open({ stateDir: directory, transport, clock: () => satellite.now });
    assert.deepEqual(reopened.identity?.udi.serial, 'FCW2134L00C');
    assert.equal(reopened.productInstanceId, agent.productInstanceId);
    assert.equal((await reopened.authorize([{ tag: 'regid.a', count: 1 }])).status, 'OK');
    assert.equal((await reopened.deregister()).status, 'OK');
    const again = await SmartAgent.open({ stateDir: directory, transport });
    assert.equal(again.isRegistered, false);
  });

  it('asks for an identity and a URL before it can talk', async () => {
    const anonymous = await SmartAgent.open();
    await assert.rejects(anonymous.register('t'), /no identity/);
    const nowhere = await SmartAgent.open({ identity });
    await assert.rejects(nowhere.register('t'), /No satellite URL/);
  });
});
