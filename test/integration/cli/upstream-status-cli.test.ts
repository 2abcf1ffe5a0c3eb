import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Command } from 'commander';
import { pino } from 'pino';
import { ManualClock } from '../../../licensing/shared/clock.js';
import type { AdminCliContext } from '../../../scripts/cli/admin-cli-context.js';
import { registerSyncCommands } from '../../../scripts/cli/sync-commands.js';
import { upstreamCliContext } from '../../../scripts/cli/upstream-cli-context.js';
import { registerUpstreamCommands } from '../../../scripts/cli/upstream-commands.js';
import { createSatelliteApp, type SatelliteApp } from '../../../server/create-satellite-app.js';
import { registerDevice } from '../../support/satellite-fixture.js';

const ORDERS = new URL('../../../sync/upstream/examples/orders.csv', import.meta.url).pathname;

interface Output { out: string[]; err: string[] }
interface StatusJson {
  upstream_id: string;
  satellites: Array<{
    satellite_id: string; name: string; state: string; last_sync_at: string | null; key_pinned: boolean;
    product_instances: { registered: number; removed: number }; usage_rows: number;
    virtual_accounts: Array<{ account: string; name: string; description: string; reported_sequence: number }>;
    event_summary: Array<{ type: string; count: number; reported_sequence: number }>;
  }>;
}

/** The upstream stores the virtual-accounts and event-summary entries of a request and shows them in `upstream status`. */
describe('satellite upstream status', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upstream-status-cli-'));
  const upstreamDir = join(dir, 'upstream');
  const clock = new ManualClock(Date.UTC(2026, 4, 1, 12));
  let app: SatelliteApp;
  beforeAll(async () => { app = await createSatelliteApp({ clock }); });
  afterAll(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<Output> {
    const result: Output = { out: [], err: [] };
    const io = { out: (line: string) => result.out.push(line), err: (line: string) => result.err.push(line) };
    const satelliteContext: AdminCliContext = { open: async (_dir, work) => work(app.satellite), ...io };
    const program = new Command('satellite').exitOverride().configureOutput({ writeErr: () => undefined });
    registerSyncCommands(program, satelliteContext);
    registerUpstreamCommands(program, {
      ...upstreamCliContext({ clock }), ...io, logger: () => pino({ level: 'silent' }), untilShutdown: () => Promise.resolve(),
    });
    await program.parseAsync(args, { from: 'user' });
    return result;
  }
  const status = async (): Promise<StatusJson> => JSON.parse((await cli('upstream', 'status', '--data', upstreamDir, '--json')).out[0] ?? '{}') as StatusJson;

  it('before any request: the satellite, never synced, nothing reported', async () => {
    await cli('upstream', 'init', '--data', upstreamDir, '--orders', ORDERS);
    const registration = join(dir, 'registration.json');
    await cli('upstream', 'register-satellite', '--data', upstreamDir, '--name', 'Site C', '--account', 'Acme Corp', '--out', registration);
    await cli('sync', 'register', registration);
    const text = (await cli('upstream', 'status', '--data', upstreamDir)).out;
    assert.match(text[0] ?? '', /^upstream .+: 1 satellite$/);
    assert.ok(text.includes('  last sync: never'), text.join('\n'));
    assert.ok(text.includes('  local virtual accounts: none'), text.join('\n'));
    assert.ok(text.includes('  event summary: none'), text.join('\n'));
  });

  it('after a processed request: the local VAs and the event summary the satellite reported', async () => {
    app.seed.virtualAccount('Acme Corp', 'Acme Local', 'built on the satellite');
    await registerDevice({ app, clock, token: app.seed.token('Acme Corp', 'Default') });
    const request = join(dir, 'request.zip');
    await cli('sync', 'export', '--out', request);
    clock.advance(60_000);
    await cli('upstream', 'process', request, '--data', upstreamDir, '--out', join(dir, 'response.zip'));

    const [satellite] = (await status()).satellites;
    assert.ok(satellite);
    assert.equal(satellite.state, 'active');
    assert.equal(satellite.last_sync_at, new Date(clock.now()).toISOString());
    assert.equal(satellite.key_pinned, true);
    assert.deepEqual(satellite.product_instances, { registered: 1, removed: 0 });
    assert.deepEqual(satellite.virtual_accounts.map((v) => [v.account, v.name, v.description, v.reported_sequence]),
      [['Acme Corp', 'Acme Local', 'built on the satellite', 1]]);
    const expected = app.satellite.db.prepare<[], { type: string; n: number }>(`SELECT e.type, COUNT(*) AS n FROM events e
      JOIN accounts a ON a.id = e.account_id WHERE a.name = 'Acme Corp' GROUP BY e.type ORDER BY e.type`).all();
    assert.deepEqual(satellite.event_summary.map((e) => [e.type, e.count, e.reported_sequence]), expected.map((e) => [e.type, e.n, 1]));
    assert.ok(expected.some((e) => e.type === 'PRODUCT_INSTANCE_REGISTERED'));

    const text = (await cli('upstream', 'status', '--data', upstreamDir, '--satellite', satellite.satellite_id)).out;
    assert.ok(text.includes('    Acme Corp/Acme Local - built on the satellite (created 2026-05-01T12:00:00.000Z)'), text.join('\n'));
    assert.ok(text.some((l) => /^ {4}PRODUCT_INSTANCE_REGISTERED: 1 \(/.test(l)), text.join('\n'));
    assert.ok(text.includes('  product instances: 1 registered, 0 removed; usage rows: 0'), text.join('\n'));
  });

  it('the next accepted request replaces the reports: a VA deleted on the satellite is gone', async () => {
    app.satellite.inventory.deleteVirtualAccount(app.satellite.inventory.findVirtualAccount('Acme Corp', 'Acme Local').id, 'test');
    clock.advance(60_000);
    const request = join(dir, 'request-2.zip');
    await cli('sync', 'export', '--out', request);
    await cli('upstream', 'process', request, '--data', upstreamDir, '--out', join(dir, 'response-2.zip'));
    const [satellite] = (await status()).satellites;
    assert.deepEqual(satellite?.virtual_accounts, []);
    assert.ok(satellite?.event_summary.every((e) => e.reported_sequence === 2));
    assert.ok(satellite?.event_summary.some((e) => e.type === 'VIRTUAL_ACCOUNT_DELETED'));
  });

  it('an unknown satellite id is NOT_FOUND', async () => {
    await assert.rejects(cli('upstream', 'status', '--data', upstreamDir, '--satellite', '0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b'), /was not found/);
  });
});
