import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Command } from 'commander';
import { pino } from 'pino';
import { ManualClock, MS_PER_DAY } from '../../../licensing/shared/clock.js';
import type { AdminCliContext } from '../../../scripts/cli/admin-cli-context.js';
import { registerSyncCommands } from '../../../scripts/cli/sync-commands.js';
import { upstreamCliContext } from '../../../scripts/cli/upstream-cli-context.js';
import { registerUpstreamCommands } from '../../../scripts/cli/upstream-commands.js';
import { createSatelliteApp, type SatelliteApp } from '../../../server/create-satellite-app.js';

const START = Date.UTC(2026, 2, 1, 12);
const ORDERS = new URL('../../../sync/upstream/examples/orders.csv', import.meta.url).pathname;

interface Output { out: string[]; err: string[] }

/** `satellite upstream ...` and `satellite sync ...` in-process: one upstream directory, an in-memory satellite, one clock. */
describe('satellite upstream | sync commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sync-cli-'));
  const upstreamDir = join(dir, 'upstream');
  const clock = new ManualClock(START);
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
  const field = (output: Output, label: string) => output.out.find((l) => l.startsWith(`${label}: `))?.slice(label.length + 2) ?? '';
  let fingerprint = '';

  it('initialises the upstream with the example orders and prints its id and key fingerprint', async () => {
    const init = await cli('upstream', 'init', '--data', upstreamDir, '--orders', ORDERS);
    fingerprint = field(init, 'upstream key fingerprint (SHA-256)');
    assert.match(field(init, 'upstream id'), /^[0-9a-f-]{36}$/);
    assert.match(fingerprint, /^[0-9a-f]{64}$/);
    assert.deepEqual(init.err, [`created the upstream in ${upstreamDir}`, 'orders loaded: 5 new, 0 updated (0 reactivated), 0 ended, 0 unchanged; created 2 smart accounts and 3 virtual accounts']);
    assert.deepEqual(JSON.parse((await cli('upstream', 'load-orders', '--data', upstreamDir, ORDERS, '--json')).out[0] ?? ''), {
      accountsCreated: 0, virtualAccountsCreated: 0, inserted: 0, updated: 0, reactivated: 0, ended: 0, unchanged: 5,
    });
  });

  it('registers the satellite from a verified file, creating upstream VAs and adopting a local one of the same name', async () => {
    app.seed.account('Acme Corp');
    app.seed.virtualAccount('Acme Corp', 'Lab');
    const file = join(dir, 'site-a.json');
    const issued = await cli('upstream', 'register-satellite', '--data', upstreamDir, '--name', 'Site A', '--account', 'Acme Corp', '--out', file);
    assert.equal(field(issued, 'upstream key fingerprint (SHA-256)'), fingerprint, 'the upstream prints the fingerprint');
    const registered = await cli('sync', 'register', file, '--fingerprint', fingerprint.toUpperCase().match(/../g)?.join(':') ?? '');
    assert.equal(field(registered, 'satellite'), `Site A (${field(issued, 'satellite id')})`);
    assert.equal(field(registered, 'upstream key fingerprint (SHA-256)'), fingerprint, 'and so does the satellite');
    assert.equal(field(registered, 'mode'), 'disconnected');
    assert.equal(field(registered, 'virtual accounts'), 'Acme Corp/Default, Acme Corp/Lab');
    assert.deepEqual(registered.err.slice(0, 2), ['created virtual account Acme Corp/Default (origin upstream)', 'virtual account Acme Corp/Lab is now served by the upstream']);
    const vas = app.satellite.inventory.listVirtualAccounts(app.satellite.inventory.findAccount('Acme Corp').id);
    assert.deepEqual(vas.map((v) => [v.name, v.origin]), [['Default', 'upstream'], ['Lab', 'upstream']]);
  });

  it('reports the binding, the credential expiry and the days since the last sync', async () => {
    clock.advance(3 * MS_PER_DAY);
    const status = await cli('sync', 'status');
    assert.equal(field(status, 'last sync'), 'never (registered 3 days ago)');
    assert.match(field(status, 'credential expires'), /\(362 days left\)$/);
    app.satellite.uow.write((r) => r.satelliteBinding.saveSyncState({ ...r.satelliteBinding.findSyncState(), lastSuccessAt: clock.now() - 2 * MS_PER_DAY, requestSequence: 4, acknowledgedSequence: 4 }));
    const json = JSON.parse((await cli('sync', 'status', '--json')).out[0] ?? '') as Record<string, unknown>;
    assert.deepEqual([json.registered, json.days_since_last_sync, json.sync_age, json.mode, json.fingerprint], [true, 2, 'ok', 'disconnected', fingerprint]);
  });

  it('refuses a tampered file, a wrong pinned fingerprint, a file for another satellite, and rebinds only with --force', async () => {
    const boundId = app.satellite.satelliteBinding.binding()?.satelliteId;
    const other = join(dir, 'site-b.json');
    await cli('upstream', 'register-satellite', '--data', upstreamDir, '--name', 'Site B', '--account', 'Globex', '--url', 'https://upstream.example:8444', '--out', other);
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, readFileSync(other, 'utf8').replace('Site B', 'Site C'));
    await assert.rejects(cli('sync', 'register', tampered, '--force'), { code: 'VALIDATION_FAILED', message: /does not verify/ });
    await assert.rejects(cli('sync', 'register', other, '--fingerprint', 'ab'.repeat(32)), { code: 'VALIDATION_FAILED', message: /not the expected/ });
    await assert.rejects(cli('sync', 'register', other), { code: 'CONFLICT', message: /registered as 'Site A'.*use --force/ });
    assert.equal(app.satellite.satelliteBinding.binding()?.satelliteId, boundId, 'nothing changed');
    const rebound = await cli('sync', 'register', other, '--force', '--json');
    const result = JSON.parse(rebound.out[0] ?? '') as Record<string, unknown>;
    assert.deepEqual([result.change, result.satellite_name, result.mode], ['rebind', 'Site B', 'connected']);
    const state = app.satellite.uow.read((r) => r.satelliteBinding.findSyncState());
    assert.deepEqual([state.requestSequence, state.lastSuccessAt], [0, null], 'a new pair starts its sync progress over');
  });

  it('switches the mode, and refuses connected mode without an upstream URL', async () => {
    assert.deepEqual((await cli('sync', 'mode', 'disconnected')).err, ['sync mode: disconnected']);
    assert.equal(field(await cli('sync', 'status'), 'mode'), 'disconnected');
    await assert.rejects(cli('sync', 'mode', 'sideways'), /value 'sideways' is invalid/);
    const fileOnly = join(dir, 'site-b-again.json');
    const satelliteId = app.satellite.satelliteBinding.binding()?.satelliteId ?? '';
    clock.advance(MS_PER_DAY);
    await cli('upstream', 'register-satellite', '--data', upstreamDir, '--satellite-id', satelliteId, '--name', 'Site B', '--account', 'Globex', '--out', fileOnly);
    assert.equal(JSON.parse((await cli('sync', 'register', fileOnly, '--json')).out[0] ?? '').change, 'renewal');
    await assert.rejects(cli('sync', 'mode', 'connected'), { code: 'VALIDATION_FAILED', message: /connected mode needs the upstream URL/ });
  });
});
