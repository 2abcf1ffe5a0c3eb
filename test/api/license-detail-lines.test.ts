import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { Command } from 'commander';
import request from 'supertest';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import type { AdminCliContext } from '../../scripts/cli/admin-cli-context.js';
import { registerCatalogCommands } from '../../scripts/cli/catalog-commands.js';
import { registerLicenseCommands } from '../../scripts/cli/license-commands.js';
import { bearerFor } from '../support/admin-auth.js';
import { authorize } from '../support/instance-fixture.js';
import { labSatellite, registerDevice, TAG_A, type Fixture } from '../support/satellite-fixture.js';

const API = '/backend/api/v1';
const LAB = `${API}/accounts/Acme/virtual-accounts/Lab`;
const NEW_TAG = 'regid.2021-01.com.cisco.Local,1.0_55555555-5555-4555-8555-555555555555';

describe('license detail, local line edits and their CLI', () => {
  let f: Fixture;
  let viewer: string;
  let operator: string;
  let out: string[];
  beforeAll(async () => {
    f = await labSatellite();
  });
  // Fresh bearers per test: the clock moves a day in the first one, past a token's lifetime.
  beforeEach(async () => {
    viewer = await bearerFor(f.app, { role: 'viewer' });
    operator = await bearerFor(f.app, { role: 'operator' });
  });
  afterAll(() => f.app.close());

  async function cli(...args: string[]): Promise<string[]> {
    out = [];
    const context: AdminCliContext = { open: async (_dir, work) => work(f.app.satellite), out: (l) => out.push(l), err: () => undefined };
    const program = new Command('satellite').exitOverride().configureOutput({ writeErr: () => undefined });
    registerLicenseCommands(program, context);
    registerCatalogCommands(program, context);
    for (const command of program.commands) command.commands.forEach((sub) => sub.exitOverride().configureOutput({ writeErr: () => undefined }));
    await program.parseAsync(args, { from: 'user' });
    return out;
  }

  it('stocks a satellite from the CLI: license add, update, end; the pool follows each step', async () => {
    const [lineId] = await cli('license', 'add', '--account', 'Acme', '--va', 'Lab', '--tag', NEW_TAG, '--name', 'Local Seats', '--quantity', '7',
      '--type', 'term', '--end', '2027-06-01');
    assert.ok(lineId);
    const list = await cli('license', 'list', '--account', 'Acme', '--va', 'Lab');
    assert.equal(list[0], 'License\tBilling\tPurchased\tIn Use\tReserved\tSubstitution\tBalance\tStatus\tTag');
    assert.ok(list.includes(`Local Seats\tPrepaid\t7\t0\t0\t-\t7\tIn Compliance\t${NEW_TAG}`), list.join('\n'));
    await cli('license', 'update', lineId, '--quantity', '3', '--name', 'Local Seats v2');
    const device = await registerDevice(f);
    await authorize(f, device, [{ tag: NEW_TAG, count: 4 }]);
    assert.ok((await cli('license', 'list', '--account', 'Acme')).includes(`Local Seats v2\tPrepaid\t3\t4\t0\t-\t-1\tOut of Compliance\t${NEW_TAG}`));
    f.clock.advance(MS_PER_DAY);
    const ended = JSON.parse((await cli('license', 'end', lineId, '--json'))[0] ?? '{}') as { active: boolean; end: string };
    assert.deepEqual([ended.active, ended.end], [false, new Date(f.clock.now()).toISOString()]);
    const json = JSON.parse((await cli('license', 'list', '--account', 'Acme', '--json'))[0] ?? '[]') as Array<{ tag: string; quantity: number; available: number }>;
    assert.deepEqual(json.filter((r) => r.tag === NEW_TAG).map((r) => [r.quantity, r.available]), [[0, -4]]);
    await assert.rejects(cli('license', 'end', lineId), /already ended/);
    await assert.rejects(cli('license', 'add', '--account', 'Acme', '--va', 'Lab', '--tag', NEW_TAG, '--name', 'X', '--quantity', 'ten'), /whole number/);
    await assert.rejects(cli('license', 'update', 'nope', '--quantity', '1'), /was not found/);
  });

  it('the license detail lists the pool, its lines, the consuming instances and its events', async () => {
    const res = await request(f.app).get(`${LAB}/licenses/${encodeURIComponent(NEW_TAG)}`).set('authorization', viewer);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.license.purchased, res.body.license.inUse, res.body.license.balance, res.body.license.lines.length], [0, 4, -4, 1]);
    assert.deepEqual(res.body.license.alerts.map((a: { messageType: string }) => a.messageType).sort(), ['INSUFFICIENT_LICENSES', 'LICENSES_EXPIRED']);
    assert.equal(res.body.consumers.length, 1);
    assert.deepEqual([res.body.consumers[0].count, res.body.consumers[0].status], [4, 'OUT_OF_COMPLIANCE']);
    assert.deepEqual(res.body.events.map((e: { type: string }) => e.type), ['LICENSE_LINE_ENDED', 'LICENSE_LINE_UPDATED', 'LICENSE_LINE_ADDED']);
    const account = await request(f.app).get(`${API}/accounts/Acme/licenses/${encodeURIComponent(NEW_TAG)}`).set('authorization', viewer);
    assert.equal(account.status, 200, account.text);
    assert.deepEqual(account.body.virtualAccounts.map((v: { virtualAccount: string; balance: number }) => [v.virtualAccount, v.balance]), [['Lab', -4]]);
    assert.equal((await request(f.app).get(`${LAB}/licenses/unknown-tag`).set('authorization', viewer)).status, 404);
    const table = await request(f.app).get(`${API}/accounts/Acme/license-table`).set('authorization', viewer);
    const row = table.body.licenses.find((r: { tag: string }) => r.tag === NEW_TAG);
    assert.deepEqual([row.billing, row.inUseLabel, row.substitutionLabel, row.available], ['-', '4', '-', -4]);
  });

  it('edits lines over the API: operator only, local lines only, bad input is a 400 that writes nothing', async () => {
    const lines = f.app.satellite.uow.read((r) => r.licenses.listLinesForTag(f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab').id, TAG_A));
    const id = lines[0]?.id ?? '';
    const patch = (bearer: string, body: Record<string, unknown>, lineId = id) => request(f.app).patch(`${LAB}/license-lines/${lineId}`).set('authorization', bearer).send(body);
    assert.equal((await patch(viewer, { quantity: 5 })).status, 403);
    for (const body of [{ quantity: -1 }, { quantity: 'x' }, { type: 'FOREVER' }, { end: 'soon' }, { color: 'red' }, { type: 'TERM' }]) {
      const res = await patch(operator, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    }
    assert.equal(f.app.satellite.uow.read((r) => r.licenses.findLine(id))?.quantity, 10, 'nothing written');
    const ok = await patch(operator, { quantity: 12, type: 'TERM', end: f.clock.now() + 400 * MS_PER_DAY });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual([ok.body.line.quantity, ok.body.line.type], [12, 'TERM']);
    assert.equal((await patch(operator, { quantity: 1 }, 'no-such-line')).status, 404);
    const end = await request(f.app).post(`${LAB}/license-lines/${id}/end`).set('authorization', operator).send({ end: f.clock.now() + MS_PER_DAY });
    assert.equal(end.status, 200, end.text);
    assert.equal(end.body.line.active, true, 'ends tomorrow');
  });

  it('the catalog from the CLI: set and list with a header row', async () => {
    await cli('catalog', 'set', NEW_TAG, '--name', 'Local Seats', '--level', '2');
    const list = await cli('catalog', 'list');
    assert.deepEqual(list, ['Tag\tName\tLevel\tSubstitutes\tOrigin', `${NEW_TAG}\tLocal Seats\t2\t-\tlocal`]);
    await assert.rejects(cli('catalog', 'set', NEW_TAG, '--name', 'X', '--level', 'high'), /substitutionLevel/);
  });
});
