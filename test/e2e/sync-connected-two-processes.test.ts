import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  cli, cliJson, field, ROOT, satelliteEnv, sqliteRows, startSatellite, startUpstream, type RunningProcess,
} from '../support/sync-processes.js';

const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';
const C9300 = 'regid.2017-05.com.cisco.C9300_DNA_Advantage,1.0_e2d2b2b1-7a8c-4d3e-8f6a-1b2c3d4e5f60';
const ORDERS = join(ROOT, 'sync/upstream/examples/orders.json');

interface Pool { tag: string; purchased: number; inUse: number; balance: number }
interface LineRow { id: string; tag: string; quantity: number; upstream_line_id: string }

/**
 * Connected sync between real processes on loopback (DESIGN §5.1, issue 4 §5): `satellite upstream serve`
 * and `satellite serve` each in a process of their own, the CLI (`sync now`, `device ...`, `license list`)
 * in further processes, and the upstream's database read back read-only with the sqlite3 CLI.
 */
describe('connected sync between a real upstream process and a real satellite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sync-connected-e2e-'));
  const upstreamDir = join(dir, 'upstream');
  const satelliteDir = join(dir, 'satellite');
  const env = satelliteEnv(satelliteDir);
  let upstream: RunningProcess & { url: string };
  let satellite: (RunningProcess & { jsonUrl: string; rootCa: string }) | undefined;
  let satelliteId = '';
  let deviceSerial = '';

  const pools = async (va = 'Default'): Promise<Map<string, Pool>> =>
    new Map((await cliJson<Pool[]>(env, 'license', 'list', '--account', 'Acme Corp', '--va', va)).map((p) => [p.tag, p]));
  const upstreamLines = (): Promise<LineRow[]> => sqliteRows<LineRow>(join(satelliteDir, 'satellite.db'),
    'SELECT id, tag, quantity, upstream_line_id FROM license_lines WHERE upstream_line_id IS NOT NULL ORDER BY upstream_line_id');

  beforeAll(async () => {
    await cli(env, 'upstream', 'init', '--data', upstreamDir, '--orders', ORDERS);
    upstream = await startUpstream(env, upstreamDir);
    const file = join(dir, 'registration.json');
    const issued = await cli(env, 'upstream', 'register-satellite', '--data', upstreamDir, '--name', 'Site A', '--account', 'Acme Corp',
      '--url', upstream.url, '--credential-days', '30', '--out', file);
    satelliteId = field(issued, 'satellite id');
    await cli(env, 'init');
    const registered = await cli(env, 'sync', 'register', file, '--mode', 'connected', '--fingerprint', field(issued, 'upstream key fingerprint (SHA-256)'));
    assert.equal(field(registered, 'mode'), 'connected');
    assert.ok((await cliJson<{ credential_days_left: number }>(env, 'sync', 'status')).credential_days_left <= 30);
    assert.ok(field(registered, 'upstream').endsWith(` at ${upstream.url}`), registered);
  });

  afterAll(async () => {
    await satellite?.stop();
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a device registers on the satellite (a third process serving the device protocol)', async () => {
    // The server's own schedule must not sync behind the test's back: 04:41 on 29 February only, no jitter.
    satellite = await startSatellite({ ...env, SATELLITE_SYNC_SCHEDULE: '41 4 29 2 *', SATELLITE_SYNC_JITTER_MINUTES: '0' });
    const token = (await cli(env, 'token', 'create', '--account', 'Acme Corp', '--va', 'Default', '--max-uses', '1')).trim();
    const state = join(dir, 'device');
    deviceSerial = 'FOC2611E2E1';
    const registered = await cli(env, 'device', 'register', '--url', satellite.jsonUrl, '--token', token, '--ca', satellite.rootCa,
      '--state', state, '--serial', deviceSerial, '--hostname', 'edge-sw-1');
    assert.match(registered, /status: OK/);
  });

  it('sync now: the orders come down as license lines and the device goes up to the upstream', async () => {
    const outcome = await cliJson<{ ok: boolean; status: string; sequence: number }>(env, 'sync', 'now');
    assert.deepEqual([outcome.ok, outcome.status, outcome.sequence], [true, 'IMPORTED', 1]);

    // Down: the purchased quantities of orders.json, per VA (the registration maps every VA of Acme Corp).
    const defaults = await pools('Default');
    assert.equal(defaults.get(UCM)?.purchased, 100);
    assert.equal(defaults.get(C9300)?.purchased, 48);
    assert.equal((await pools('Lab')).get(UCM)?.purchased, 10);
    assert.deepEqual((await upstreamLines()).map((l) => [l.upstream_line_id, l.quantity]),
      [['ORD-1001-1', 100], ['ORD-1001-2', 48], ['ORD-1002-1', 10]]);

    // Up: the upstream recorded the satellite's product instance (the device's id and serial) and its usage.
    const { productInstances } = await cliJson<{ productInstances: Array<{ id: string }> }>(env, 'instance', 'list', '--account', 'Acme Corp');
    assert.equal(productInstances.length, 1);
    const instanceId = productInstances[0]?.id ?? '';
    const upstreamDb = join(upstreamDir, 'upstream.db');
    const reported = await sqliteRows<{ satellite_id: string; product_instance_id: string; account: string; virtual_account: string; removed: number; record: string }>(
      upstreamDb, 'SELECT satellite_id, product_instance_id, account, virtual_account, removed, record FROM satellite_product_instances');
    assert.equal(reported.length, 1);
    assert.deepEqual([reported[0]?.satellite_id, reported[0]?.product_instance_id, reported[0]?.account, reported[0]?.virtual_account, reported[0]?.removed],
      [satelliteId, instanceId, 'Acme Corp', 'Default', 0]);
    assert.ok(reported[0]?.record.includes(deviceSerial), `the reported record names the serial: ${reported[0]?.record}`);

    // The registration granted 30 days; the accepted request renewed the credential for 365 (364 whole days left).
    const status = await cliJson<Record<string, unknown>>(env, 'sync', 'status');
    assert.deepEqual([status.days_since_last_sync, status.credential_days_left, status.upstream_sequence], [0, 364, 1]);
  });

  it('the device authorizes against the synced pool (a tag the VA never held would be INVALID_TAG, not usage)', async () => {
    const authorized = await cli(env, 'device', 'authorize', '--state', join(dir, 'device'), '--tag', `${UCM}=3`);
    assert.match(authorized, /authorization: AUTHORIZED/);
    assert.equal((await pools('Default')).get(UCM)?.inUse, 3);
  });

  it('reduced orders on the upstream, sync again: the pool changes in place (same line ids), a dropped line ends, usage goes up', async () => {
    const before = await upstreamLines();
    const orders = JSON.parse(readFileSync(ORDERS, 'utf8')) as { lines: Array<Record<string, unknown>> };
    const reduced = {
      ...orders,
      lines: orders.lines
        .filter((l) => l.order_line_id !== 'ORD-1002-1')
        .map((l) => (l.order_line_id === 'ORD-1001-1' ? { ...l, quantity: 60 } : l)),
    };
    const reducedFile = join(dir, 'orders-reduced.json');
    writeFileSync(reducedFile, JSON.stringify(reduced));
    // Loaded while the upstream server runs: the next request is answered from the new order book.
    const loaded = await cliJson<{ updated: number; ended: number }>(env, 'upstream', 'load-orders', reducedFile, '--data', upstreamDir);
    assert.deepEqual([loaded.updated, loaded.ended], [1, 1]);

    const outcome = await cliJson<{ ok: boolean; sequence: number }>(env, 'sync', 'now');
    assert.deepEqual([outcome.ok, outcome.sequence], [true, 2]);
    const defaults = await pools('Default');
    assert.equal(defaults.get(UCM)?.purchased, 60);
    assert.deepEqual([defaults.get(UCM)?.inUse, defaults.get(UCM)?.balance], [3, 57], JSON.stringify(defaults.get(UCM)));
    assert.equal(defaults.get(C9300)?.purchased, 48);
    assert.equal((await pools('Lab')).get(UCM)?.purchased ?? 0, 0, 'the dropped Lab line no longer counts');

    const afterLines = await upstreamLines();
    assert.deepEqual(afterLines.map((l) => [l.upstream_line_id, l.id]), before.map((l) => [l.upstream_line_id, l.id]), 'updated in place, no new rows');
    assert.equal(afterLines.find((l) => l.upstream_line_id === 'ORD-1001-1')?.quantity, 60);

    const usage = await sqliteRows<{ tag: string; authorized: number; requested: number; reported_sequence: number }>(join(upstreamDir, 'upstream.db'),
      `SELECT tag, authorized, requested, reported_sequence FROM satellite_usage WHERE satellite_id = '${satelliteId}' AND virtual_account = 'Default'`);
    const ucmUsage = usage.find((u) => u.tag === UCM);
    assert.deepEqual(ucmUsage && [ucmUsage.authorized, ucmUsage.requested, ucmUsage.reported_sequence], [3, 3, 2], JSON.stringify(usage));
  });

  it('both servers stop cleanly on SIGTERM', async () => {
    assert.equal(await satellite?.stop(), 0);
    assert.equal(await upstream.stop(), 0);
  });
});
