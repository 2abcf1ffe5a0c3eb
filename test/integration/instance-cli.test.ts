import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Command } from 'commander';
import { DomainError } from '../../licensing/shared/domain-error.js';
import { registerInstanceCommands } from '../../scripts/cli/instance-commands.js';
import { authorize, registerNamed, usageOf } from '../support/instance-fixture.js';
import { labSatellite, post, signedRequest, TAG_A, TAG_B, type Device, type Fixture } from '../support/satellite-fixture.js';

describe('satellite instance list | transfer | remove', () => {
  let f: Fixture;
  let devices: Device[];
  beforeAll(async () => {
    f = await labSatellite();
    f.app.seed.virtualAccount('Acme', 'Prod');
    f.app.seed.licenseLine('Acme', 'Prod', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 2 });
    devices = [];
    for (const hostname of ['alpha', 'beta', 'gamma']) {
      f.clock.advance(1000);
      devices.push(await registerNamed(f, { hostname }));
    }
  });
  afterAll(() => f.app.close());

  const cli = async (...args: string[]): Promise<{ out: string[]; err: string[] }> => {
    const result = { out: [] as string[], err: [] as string[] };
    const program = new Command('satellite').exitOverride().configureOutput({ writeErr: () => undefined });
    registerInstanceCommands(program, {
      open: async (_dir, work) => work(f.app.satellite),
      out: (line) => result.out.push(line),
      err: (line) => result.err.push(line),
    });
    await program.parseAsync(['instance', ...args], { from: 'user' });
    return result;
  };
  const device = (i: number): Device => {
    const d = devices[i];
    assert.ok(d);
    return d;
  };
  const alpha = () => device(0);
  const beta = () => device(1);
  const gamma = () => device(2);

  it('lists an account\'s instances newest first, tab-separated or as JSON, with search and VA filters', async () => {
    const table = await cli('list', '--account', 'Acme');
    assert.deepEqual(table.out.map((line) => line.split('\t').slice(0, 2)), [
      [gamma().instanceId, 'gamma'], [beta().instanceId, 'beta'], [alpha().instanceId, 'alpha'],
    ]);
    assert.match(table.err[0] ?? '', /3 of 3 product instances in Acme/);
    const json = JSON.parse((await cli('list', '--account', 'Acme', '--search', 'ET', '--json')).out[0] ?? '{}');
    assert.equal(json.total, 1);
    assert.equal(json.productInstances[0].hostname, 'beta');
    assert.equal(json.productInstances[0].virtualAccount, 'Lab');
    assert.equal((await cli('list', '--account', 'Acme', '--va', 'Prod')).out.length, 0);
    assert.equal((await cli('list', '--account', 'Acme', '--limit', '2')).out.length, 2);
    await assert.rejects(cli('list', '--account', 'Acme', '--limit', '0'));
  });

  it('transfers with the same rules as the API: refused when short, done with --force', async () => {
    await authorize(f, alpha(), [{ tag: TAG_A, count: 3 }]);
    await assert.rejects(cli('transfer', alpha().instanceId, '--to', 'Prod'),
      (error: unknown) => error instanceof DomainError && error.code === 'CONFLICT' && /needs 3, 2 available of 2 purchased/.test(error.message));
    assert.deepEqual(usageOf(f, 'Acme', 'Lab', TAG_A), { authorized: 3, requested: 3, reserved: 0 });
    const forced = await cli('transfer', alpha().instanceId, '--to', 'Prod', '--force');
    assert.deepEqual(forced.out, [`${alpha().instanceId}\tLab -> Prod`]);
    assert.match(forced.err[0] ?? '', /out of compliance: UCM Enhanced needs 3, 2 available/);
    assert.deepEqual(usageOf(f, 'Acme', 'Prod', TAG_A), { authorized: 0, requested: 3, reserved: 0 });
    const ok = JSON.parse((await cli('transfer', beta().instanceId, '--to', 'Prod', '--json')).out[0] ?? '{}');
    assert.deepEqual([ok.from, ok.to, ok.shortfalls], ['Lab', 'Prod', []]);
    const [event] = f.app.satellite.uow.read((r) => r.events.list({ type: 'PRODUCT_INSTANCE_TRANSFERRED', limit: 1, offset: 0 }));
    // The CLI names the OS user who ran it (issue 11 §4).
    assert.equal(event?.actorId, `cli:${userInfo().username}`);
  });

  it('removes: licenses released, certificate revoked', async () => {
    await authorize(f, gamma(), [{ tag: TAG_B, count: 1 }]);
    const res = await cli('remove', gamma().instanceId);
    assert.deepEqual(res.out, [`${gamma().instanceId}\tremoved`]);
    assert.deepEqual(usageOf(f, 'Acme', 'Lab', TAG_B), { authorized: 0, requested: 0, reserved: 0 });
    const answer = await post(f.app, signedRequest(f, gamma(), 'AUTHORIZE', { entitlements: [] }));
    assert.equal(answer.message?.error?.code, 'CERT_REVOKED');
    assert.equal((await cli('list', '--account', 'Acme', '--all')).out.length, 3);
    await assert.rejects(cli('remove', 'no-such-id'), (error: unknown) => error instanceof DomainError && error.code === 'NOT_FOUND');
  });
});
