import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Command } from 'commander';
import request from 'supertest';
import {
  INSUFFICIENT_LICENSES, PRODUCT_INSTANCE_FAILED_TO_CONNECT, PRODUCT_INSTANCE_FAILED_TO_RENEW, PRODUCT_INSTANCE_OUT_OF_COMPLIANCE,
} from '../../licensing/alerts/license-alert-rules.js';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import type { AdminCliContext } from '../../scripts/cli/admin-cli-context.js';
import { registerLicenseCommands } from '../../scripts/cli/license-commands.js';
import { bearerFor } from '../support/admin-auth.js';
import { authorize, usageOf } from '../support/instance-fixture.js';
import { labSatellite, registerDevice, TAG_A, TAG_B, type Fixture } from '../support/satellite-fixture.js';

const API = '/backend/api/v1';

const stateOf = (f: Fixture, id: string) => f.app.satellite.uow.read((r) => r.instances.findById(id))?.authorizationState;
const alertOn = (f: Fixture, type: string, target: string) => f.app.satellite.uow.read((r) => r.alertCauses.activeAlert(type, target));
const eventTypes = (f: Fixture, id: string) => f.app.satellite.uow.read((r) => r.events.list({ limit: 100, offset: 0 }))
  .filter((e) => e.details.productInstanceId === id).map((e) => e.type).reverse();

async function cli(f: Fixture, ...args: string[]): Promise<string[]> {
  const out: string[] = [];
  const context: AdminCliContext = { open: async (_dir, work) => work(f.app.satellite), out: (l) => out.push(l), err: () => undefined };
  const program = new Command('satellite').exitOverride();
  registerLicenseCommands(program, context);
  await program.parseAsync(args, { from: 'user' });
  return out;
}

describe('the newcomer scenario: a device asking 12 of 10 (issue 8)', () => {
  let f: Fixture;
  let viewer: string;
  let operator: string;
  beforeAll(async () => {
    f = await labSatellite();
    viewer = await bearerFor(f.app, { role: 'viewer' });
    operator = await bearerFor(f.app, { role: 'operator' });
  });
  afterAll(() => f.app.close());

  it('shows quantity 10, inUse 12, available -2, Out of Compliance in the toolkit row, the CSV and the CLI', async () => {
    const device = await registerDevice(f);
    const answer = await authorize(f, device, [{ tag: TAG_A, count: 12 }]);
    assert.equal(answer.body.authorization?.entitlements[0]?.status, 'OUT_OF_COMPLIANCE');
    const res = await request(f.app).post(`${API}/accounts/Acme/licenses`).set('authorization', viewer).send({ limit: -1 });
    assert.deepEqual(res.body.licenses.find((r: { tag: string }) => r.tag === TAG_A), {
      license: 'UCM Enhanced', tag: TAG_A, quantity: 10, inUse: 12, available: -2, status: 'Out of Compliance', reserved: 0, substitution: 0,
    });
    const csv = await request(f.app).get(`${API}/accounts/Acme/licenses/export.csv`).set('authorization', viewer);
    assert.match(csv.text, new RegExp(`UCM Enhanced,"${TAG_A.replace(/[.,]/g, '\\$&')}",Prepaid,10,12,0,0,-2,Out of Compliance`));
    assert.ok((await cli(f, 'license', 'list', '--account', 'Acme')).includes(`UCM Enhanced\tPrepaid\t10\t12\t0\t-\t-2\tOut of Compliance\t${TAG_A}`));
    const lab = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab');
    assert.ok(alertOn(f, INSUFFICIENT_LICENSES, `${lab.id}/${TAG_A}`));
  });

  it('transferred into a VA without the license, the shortfall stays visible there (pools, toolkit, alerts)', async () => {
    const device = (await request(f.app).get(`${API}/accounts/Acme/product-instances?licenseTag=${encodeURIComponent(TAG_A)}`).set('authorization', viewer)).body.productInstances[0];
    f.app.seed.virtualAccount('Acme', 'Empty');
    const refused = await request(f.app).post(`${API}/accounts/Acme/product-instances/${device.id}/transfer`).set('authorization', operator)
      .send({ targetVirtualAccount: 'Empty' });
    assert.equal(refused.status, 409, refused.text);
    const forced = await request(f.app).post(`${API}/accounts/Acme/product-instances/${device.id}/transfer`).set('authorization', operator)
      .send({ targetVirtualAccount: 'Empty', force: true });
    assert.equal(forced.status, 200, forced.text);
    const pools = await request(f.app).get(`${API}/accounts/Acme/virtual-accounts/Empty/licenses`).set('authorization', viewer);
    assert.deepEqual(pools.body.licenses.map((p: { tag: string; purchased: number; inUse: number; balance: number; status: string }) => [p.tag, p.purchased, p.inUse, p.balance, p.status]),
      [[TAG_A, 0, 12, -12, 'Out of Compliance']]);
    const empty = f.app.satellite.inventory.findVirtualAccount('Acme', 'Empty');
    const lab = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab');
    assert.ok(alertOn(f, INSUFFICIENT_LICENSES, `${empty.id}/${TAG_A}`), 'the alert follows the shortfall');
    assert.equal(alertOn(f, INSUFFICIENT_LICENSES, `${lab.id}/${TAG_A}`), undefined, 'Lab is covered again');
    const row = (await request(f.app).post(`${API}/accounts/Acme/licenses`).set('authorization', viewer).send({})).body.licenses
      .find((r: { tag: string }) => r.tag === TAG_A);
    assert.deepEqual([row.quantity, row.inUse, row.available, row.status], [10, 12, -2, 'Out of Compliance']);
    assert.equal(stateOf(f, device.id), 'OUT_OF_COMPLIANCE', 'a forced transfer accepts the shortfall at once');
    assert.ok(alertOn(f, PRODUCT_INSTANCE_OUT_OF_COMPLIANCE, device.id));
  });
});

describe('inventory states (DESIGN §8.1): the 5-report rule, expired authorization, expired registration', () => {
  let f: Fixture;
  beforeAll(async () => { f = await labSatellite(); });
  afterAll(() => f.app.close());

  it('OUT_OF_COMPLIANCE after 5 consecutive short reports; two short then a covered one reset the count (seed 002)', async () => {
    const d = await registerDevice(f);
    await authorize(f, d, [{ tag: TAG_B, count: 3 }]);
    await authorize(f, d, [{ tag: TAG_B, count: 3 }]);
    assert.equal(f.app.satellite.uow.read((r) => r.instances.findById(d.instanceId))?.shortReportStreak, 2);
    await authorize(f, d, [{ tag: TAG_B, count: 2 }]);
    assert.equal(f.app.satellite.uow.read((r) => r.instances.findById(d.instanceId))?.shortReportStreak, 0, 'a covered report resets to 0');
    for (let i = 1; i <= 4; i += 1) {
      const answer = await authorize(f, d, [{ tag: TAG_B, count: 3 }]);
      assert.equal(answer.body.authorization?.status, 'OUT_OF_COMPLIANCE', 'the answer tells the pool\'s truth at once');
      assert.equal(stateOf(f, d.instanceId), 'AUTHORIZED', `after ${i} short reports`);
    }
    await authorize(f, d, [{ tag: TAG_B, count: 3 }]);
    assert.equal(stateOf(f, d.instanceId), 'OUT_OF_COMPLIANCE');
    assert.equal(alertOn(f, PRODUCT_INSTANCE_OUT_OF_COMPLIANCE, d.instanceId)?.severity, 'Major');
    await authorize(f, d, [{ tag: TAG_B, count: 1 }]);
    assert.equal(stateOf(f, d.instanceId), 'AUTHORIZED');
    assert.equal(alertOn(f, PRODUCT_INSTANCE_OUT_OF_COMPLIANCE, d.instanceId), undefined);
    assert.deepEqual(eventTypes(f, d.instanceId).slice(-2), ['PRODUCT_INSTANCE_OUT_OF_COMPLIANCE', 'PRODUCT_INSTANCE_BACK_IN_COMPLIANCE']);
    await authorize(f, d, []);
  });

  it('the engine\'s alerts reach the toolkit alerts list with their severity and source', async () => {
    const d = await registerDevice(f);
    for (let i = 0; i < 5; i += 1) await authorize(f, d, [{ tag: TAG_B, count: 3 }]);
    const viewer = await bearerFor(f.app, { role: 'viewer' });
    const res = await request(f.app).post(`${API}/accounts/Acme/alerts`).set('authorization', viewer).send({ limit: -1 });
    assert.equal(res.status, 200, res.text);
    const byType = new Map(res.body.alerts.map((a: { messageType: string; severity: string; source: string }) => [a.messageType, [a.severity, a.source]]));
    assert.deepEqual(byType.get(PRODUCT_INSTANCE_OUT_OF_COMPLIANCE), ['Major', 'Lab']);
    assert.deepEqual(byType.get(INSUFFICIENT_LICENSES), ['Major', 'Lab']);
    await authorize(f, d, []);
    const after = await request(f.app).post(`${API}/accounts/Acme/alerts`).set('authorization', viewer).send({ limit: -1 });
    assert.deepEqual(after.body.alerts.filter((a: { messageType: string }) => [PRODUCT_INSTANCE_OUT_OF_COMPLIANCE, INSUFFICIENT_LICENSES].includes(a.messageType)), []);
  });

  it('AUTHORIZATION_EXPIRED after 90 days without a report (usage still counts); a report restores it', async () => {
    const d = await registerDevice(f);
    await authorize(f, d, [{ tag: TAG_A, count: 4 }]);
    f.clock.advance(90 * MS_PER_DAY - 1);
    f.app.satellite.complianceSweep.run();
    assert.equal(stateOf(f, d.instanceId), 'AUTHORIZED');
    f.clock.advance(1);
    const result = f.app.satellite.complianceSweep.run();
    assert.ok(result.authorizationsExpired >= 1);
    assert.equal(stateOf(f, d.instanceId), 'AUTHORIZATION_EXPIRED');
    assert.equal(usageOf(f, 'Acme', 'Lab', TAG_A).requested, 4, 'its usage still counts');
    assert.equal(alertOn(f, PRODUCT_INSTANCE_FAILED_TO_CONNECT, d.instanceId)?.severity, 'Major');
    assert.equal(f.app.satellite.complianceSweep.run().authorizationsExpired, 0, 'a second run changes nothing');
    await authorize(f, d, [{ tag: TAG_A, count: 4 }]);
    assert.equal(stateOf(f, d.instanceId), 'AUTHORIZED');
    assert.equal(alertOn(f, PRODUCT_INSTANCE_FAILED_TO_CONNECT, d.instanceId), undefined);
    assert.deepEqual(eventTypes(f, d.instanceId).slice(-2), ['PRODUCT_INSTANCE_AUTHORIZATION_EXPIRED', 'PRODUCT_INSTANCE_AUTHORIZATION_RESTORED']);
  });

  it('REGISTRATION_EXPIRED when the ID certificate lapses unrenewed: usage released, alert raised; re-registering needs no force', async () => {
    const d = await registerDevice(f, { token: f.app.seed.token('Acme', 'Lab', { maxUses: 5 }).secret });
    await authorize(f, d, [{ tag: TAG_A, count: 5 }]);
    const before = usageOf(f, 'Acme', 'Lab', TAG_A).requested;
    f.clock.advance(366 * MS_PER_DAY);
    const result = f.app.satellite.complianceSweep.run();
    assert.ok(result.registrationsExpired >= 1);
    assert.equal(stateOf(f, d.instanceId), 'REGISTRATION_EXPIRED');
    assert.ok(usageOf(f, 'Acme', 'Lab', TAG_A).requested <= before - 5, 'its usage is released');
    assert.equal(alertOn(f, PRODUCT_INSTANCE_FAILED_TO_RENEW, d.instanceId)?.severity, 'Major');
    assert.equal(alertOn(f, PRODUCT_INSTANCE_FAILED_TO_CONNECT, d.instanceId), undefined, 'one alert per instance: the worse state');
    assert.ok(eventTypes(f, d.instanceId).includes('PRODUCT_INSTANCE_REGISTRATION_EXPIRED'));
    const fresh = f.app.seed.token('Acme', 'Lab', { maxUses: 5, expiresAfterDays: 30 });
    const again = await registerDevice(f, { udi: d.udi, token: fresh.secret });
    assert.equal(again.instanceId, d.instanceId, 'the same instance registers again');
    assert.equal(stateOf(f, d.instanceId), 'NOT_AUTHORIZED');
    assert.equal(alertOn(f, PRODUCT_INSTANCE_FAILED_TO_RENEW, d.instanceId), undefined);
  });
});
