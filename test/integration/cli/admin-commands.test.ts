import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Command } from 'commander';
import { ManualClock, MS_PER_DAY } from '../../../licensing/shared/clock.js';
import { registerAccountCommands } from '../../../scripts/cli/account-commands.js';
import type { AdminCliContext } from '../../../scripts/cli/admin-cli-context.js';
import { registerLicenseCommands } from '../../../scripts/cli/license-commands.js';
import { registerTokenCommands } from '../../../scripts/cli/token-commands.js';
import { createSatelliteApp, type SatelliteApp } from '../../../server/create-satellite-app.js';
import { TAG_A } from '../../support/satellite-fixture.js';

const START = Date.UTC(2026, 10, 23, 12);

describe('satellite account | va | token | license commands', () => {
  let app: SatelliteApp;
  beforeAll(async () => { app = await createSatelliteApp({ clock: new ManualClock(START) }); });
  afterAll(() => app.close());

  /** Runs one command line against the in-memory satellite; returns stdout and stderr lines. */
  async function cli(...args: string[]): Promise<{ out: string[]; err: string[] }> {
    const result = { out: [] as string[], err: [] as string[] };
    const context: AdminCliContext = {
      open: async (_dir, work) => work(app.satellite),
      out: (line) => result.out.push(line),
      err: (line) => result.err.push(line),
    };
    const program = new Command('satellite').exitOverride();
    registerAccountCommands(program, context);
    registerTokenCommands(program, context);
    registerLicenseCommands(program, context);
    await program.parseAsync(args, { from: 'user' });
    return result;
  }

  it('creates and lists accounts and virtual accounts', async () => {
    assert.deepEqual(await cli('account', 'create', 'Demo Account'), { out: [], err: ['account Demo Account created'] });
    await cli('account', 'create', 'Second');
    assert.deepEqual((await cli('va', 'create', '--account', 'Demo Account', 'Lab', '--description', 'the lab')).err,
      ['virtual account Demo Account/Lab created']);
    await cli('va', 'create', '--account', 'Demo Account', 'Prod');
    assert.deepEqual((await cli('account', 'list')).out, [
      `Demo Account\t2\t${new Date(START).toISOString()}`, `Second\t0\t${new Date(START).toISOString()}`,
    ]);
    assert.deepEqual((await cli('va', 'list', '--account', 'Demo Account')).out, ['Lab\tlocal\tthe lab', 'Prod\tlocal\t-']);
    const json = JSON.parse((await cli('va', 'list', '--account', 'Demo Account', '--json')).out[0] ?? '[]') as Array<{ name: string }>;
    assert.deepEqual(json.map((v) => v.name), ['Lab', 'Prod']);
    await assert.rejects(cli('va', 'create', '--account', 'Demo Account', 'Lab'), /already exists/);
    await assert.rejects(cli('va', 'list', '--account', 'Nope'), /account 'Nope' was not found/);
  });

  it('creates, lists and revokes tokens; the list never shows a secret', async () => {
    const created = await cli('token', 'create', '--account', 'Demo Account', '--va', 'Lab', '--description', 'racks', '--days', '10', '--max-uses', '3');
    const secret = created.out[0] ?? '';
    assert.ok(secret.length >= 48);
    const id = /^token (\S+) for Demo Account\/Lab/.exec(created.err[0] ?? '')?.[1] ?? '';
    const expires = new Date(START + 10 * MS_PER_DAY).toISOString();
    const listed = await cli('token', 'list', '--account', 'Demo Account', '--va', 'Lab');
    assert.deepEqual(listed.out, [`${id}\tACTIVE\t0/3\t${expires}\tracks`]);
    assert.deepEqual(await cli('token', 'revoke', id), { out: [], err: [`token ${id} revoked`] });
    const after = JSON.parse((await cli('token', 'list', '--account', 'Demo Account', '--va', 'Lab', '--json')).out[0] ?? '[]') as Array<Record<string, unknown>>;
    assert.deepEqual(after, [{ id, status: 'REVOKED', uses: 0, maxUses: 3, expiresAt: expires, exportControlled: 'Allowed', description: 'racks' }]);
    assert.ok(!JSON.stringify(after).includes(secret));
    await assert.rejects(cli('token', 'revoke', 'nope'), /token 'nope' was not found/);
  });

  it('lists licenses per account and per virtual account', async () => {
    app.seed.licenseLine('Demo Account', 'Lab', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 10 });
    app.seed.licenseLine('Demo Account', 'Prod', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 5 });
    assert.deepEqual((await cli('license', 'list', '--account', 'Demo Account')).out, [
      'License\tBilling\tQuantity\tIn Use\tReserved\tSubstitution\tAvailable\tStatus\tTag',
      `UCM Enhanced\tPrepaid\t15\t0\t0\t-\t15\tIn Compliance\t${TAG_A}`,
    ]);
    assert.deepEqual((await cli('license', 'list', '--account', 'Demo Account', '--va', 'Prod')).out, [
      'License\tBilling\tPurchased\tIn Use\tReserved\tSubstitution\tBalance\tStatus\tTag',
      `UCM Enhanced\tPrepaid\t5\t0\t0\t-\t5\tIn Compliance\t${TAG_A}`,
    ]);
    const json = JSON.parse((await cli('license', 'list', '--account', 'Demo Account', '--json')).out[0] ?? '[]') as unknown;
    assert.deepEqual(json, [{ license: 'UCM Enhanced', tag: TAG_A, quantity: 15, inUse: 0, available: 15, status: 'In Compliance', reserved: 0, substitution: 0 }]);
  });
});
