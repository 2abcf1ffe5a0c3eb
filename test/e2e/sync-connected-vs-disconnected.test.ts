import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { cli, cliJson, field, ROOT, satelliteEnv, sqliteRows, startUpstream, type Env, type RunningProcess } from '../support/sync-processes.js';

const ORDERS = join(ROOT, 'sync/upstream/examples/orders.json');

/**
 * The two sync modes are one exchange over two transports (DESIGN §5.1): satellite A syncs connected against a
 * running upstream, satellite B carries the same exchange by hand (`sync export` -> `upstream process` ->
 * `sync import`) to a second upstream holding the same orders. Both start from an empty data directory and a
 * registration for the same account, so they must end in the same state.
 *
 * Compared: every upstream license line (VA, tag, display name, description, quantity, type, start and end,
 * substitution ladder and level, origin, upstream line id and revision), the virtual accounts (name, origin),
 * every pool of every VA (`license list --json`), the sync sequences and the credential (renewed on both:
 * 364 whole days left after a 30-day registration). Not compared, because they legitimately differ: row ids
 * and created_at stamps, the satellite, upstream and bundle ids, the upstream URL and the mode.
 */
describe('connected and disconnected sync reach the same satellite state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sync-same-state-e2e-'));
  const envA = satelliteEnv(join(dir, 'satellite-a'));
  const envB = satelliteEnv(join(dir, 'satellite-b'));
  let upstream: RunningProcess & { url: string };

  /** A fresh upstream with orders.json, and a satellite bound to it with a 30-day credential. */
  const bind = async (env: Env, upstreamDir: string, url: string | null, mode: 'connected' | 'disconnected'): Promise<void> => {
    const file = join(dir, `registration-${mode}.json`);
    const issued = await cli(env, 'upstream', 'register-satellite', '--data', upstreamDir, '--name', `Site ${mode}`, '--account', 'Acme Corp',
      '--credential-days', '30', ...(url === null ? [] : ['--url', url]), '--out', file);
    await cli(env, 'init');
    await cli(env, 'sync', 'register', file, '--mode', mode, '--fingerprint', field(issued, 'upstream key fingerprint (SHA-256)'));
  };

  beforeAll(async () => {
    const upA = join(dir, 'upstream-a');
    const upB = join(dir, 'upstream-b');
    await cli(envA, 'upstream', 'init', '--data', upA, '--orders', ORDERS);
    await cli(envB, 'upstream', 'init', '--data', upB, '--orders', ORDERS);
    upstream = await startUpstream(envA, upA);
    await bind(envA, upA, upstream.url, 'connected');
    await bind(envB, upB, null, 'disconnected');

    const outcome = await cliJson<{ ok: boolean; status: string }>(envA, 'sync', 'now');
    assert.deepEqual([outcome.ok, outcome.status], [true, 'IMPORTED']);

    const request = join(dir, 'request.zip');
    const response = join(dir, 'response.zip');
    await cli(envB, 'sync', 'export', '--out', request);
    await cli(envB, 'upstream', 'process', request, '--data', upB, '--out', response);
    await cli(envB, 'sync', 'import', response);
  });

  afterAll(async () => {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = (env: Env) => sqliteRows(join(env.SATELLITE_DATA_DIR ?? '', 'satellite.db'), `
    SELECT a.name AS account, v.name AS va, l.tag, l.display_name, l.description, l.quantity, l.license_type, l.starts_at, l.ends_at,
      l.substitution_ladder, l.substitution_level, l.origin, l.upstream_line_id, l.upstream_revision
    FROM license_lines l JOIN virtual_accounts v ON v.id = l.va_id JOIN accounts a ON a.id = v.account_id
    ORDER BY l.upstream_line_id, l.tag`);
  const vas = (env: Env) => sqliteRows(join(env.SATELLITE_DATA_DIR ?? '', 'satellite.db'), `
    SELECT a.name AS account, v.name AS va, v.origin FROM virtual_accounts v JOIN accounts a ON a.id = v.account_id ORDER BY a.name, v.name`);
  const pools = async (env: Env) => ({
    Default: await cliJson(env, 'license', 'list', '--account', 'Acme Corp', '--va', 'Default'),
    Lab: await cliJson(env, 'license', 'list', '--account', 'Acme Corp', '--va', 'Lab'),
    account: await cliJson(env, 'license', 'list', '--account', 'Acme Corp'),
  });
  const syncState = async (env: Env) => {
    const s = await cliJson<Record<string, unknown>>(env, 'sync', 'status');
    return [s.request_sequence, s.acknowledged_sequence, s.upstream_sequence, s.credential_expired, s.credential_days_left, s.days_since_last_sync,
      s.last_error, s.virtual_accounts];
  };

  it('the same license lines, field by field, all from the upstream', async () => {
    const a = await lines(envA);
    assert.equal(a.length, 3, JSON.stringify(a));
    assert.ok(a.every((l) => l.origin === 'upstream'));
    assert.deepEqual(await lines(envB), a);
  });

  it('the same virtual accounts and the same pools', async () => {
    assert.deepEqual(await vas(envB), await vas(envA));
    const a = await pools(envA);
    assert.ok(Array.isArray(a.Default) && a.Default.length === 2, JSON.stringify(a.Default));
    assert.deepEqual(await pools(envB), a);
  });

  it('the same sync sequences, and the credential renewed on both', async () => {
    const a = await syncState(envA);
    assert.deepEqual(a, [1, 1, 1, false, 364, 0, null, ['Acme Corp/Default', 'Acme Corp/Lab']]);
    assert.deepEqual(await syncState(envB), a);
  });
});
