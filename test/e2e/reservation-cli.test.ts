import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'scripts/satellite.ts')];
const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';
const DNA = 'regid.2017-05.com.cisco.C9300_DNA_Advantage,1.0_e2d2b2b1-7a8c-4d3e-8f6a-1b2c3d4e5f60';
const VA = ['--account', 'Demo Account', '--va', 'Default'];

/**
 * DESIGN §9 with real processes: `satellite serve` for the admin, and a simulated air-gapped device that
 * only ever runs `satellite device reservation ...` on its own state directory. The admin carries every
 * code between them as a file or a command-line argument.
 */
describe('license reservation end to end: air-gapped device CLI and admin CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reservation-e2e-'));
  const data = join(dir, 'data');
  const env = { ...process.env, SATELLITE_DATA_DIR: data, SATELLITE_PORT: '0', SATELLITE_HOST: '127.0.0.1', SATELLITE_HOSTNAMES: 'localhost,127.0.0.1', SATELLITE_LOG_LEVEL: 'warn' };
  let server: ChildProcess;
  let banner = '';
  const cli = (...args: string[]) => run(process.execPath, [...CLI, ...args], { env, cwd: ROOT });
  const device = (state: string, ...args: string[]) => cli('device', 'reservation', ...args, '--state', join(dir, state));
  const fails = (pattern: RegExp) => (error: { code?: number; stderr?: string }) => error.code === 1 && pattern.test(error.stderr ?? '');
  const inUseColumn = async (tag: string) => {
    const [header = [], ...rows] = (await cli('license', 'list', ...VA)).stdout.trim().split('\n').map((row) => row.split('\t'));
    return rows.find((row) => row[header.indexOf('Tag')] === tag)?.[header.indexOf('In Use')];
  };
  // Process start-up dominates this suite, so the admin's reads go to the running server over HTTPS.
  let ca = '';
  let base = '';
  let bearer = '';
  const https = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${base}${path}`, { method, ca, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
  const api = (method: string, path: string, body?: unknown) => https(method, `/backend/api/v1/accounts/Demo%20Account/virtual-accounts/Default${path}`, body, { authorization: bearer });
  const pool = async (tag: string) => {
    const rows = JSON.parse((await api('GET', '/licenses')).text).licenses as Array<{ tag: string; inUse: number; reserved: number }>;
    const row = rows.find((r) => r.tag === tag);
    return row && { inUse: row.inUse, reserved: row.reserved };
  };
  const line = (text: string, label: string) => new RegExp(`${label}: (\\S+)`).exec(text)?.[1] ?? '';

  beforeAll(async () => {
    server = spawn(process.execPath, [...CLI, 'serve'], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    banner = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Data directory')) resolve(out);
      });
      server.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${out}`)));
    });
    // Seeding runs while the server is up: WAL and the busy timeout let the CLI share the database.
    await cli('demo', 'seed');
    await cli('reservation', 'enable', '--account', 'Demo Account');
    base = /Device transport URL \(JSON\):\s+(https:\/\/[^/]+)/.exec(banner)?.[1] ?? '';
    ca = readFileSync(/Root CA to give devices:\s+(\S+)/.exec(banner)?.[1] ?? '', 'utf8');
    const client = JSON.parse((await cli('api-client', 'create', '--name', 'e2e', '--role', 'viewer', '--json')).stdout) as { client_id: string; client_secret: string };
    const token = await https('POST', '/backend/oauth/token', { grant_type: 'client_credentials', ...client });
    bearer = `Bearer ${(JSON.parse(token.text) as { access_token: string }).access_token}`;
  });

  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the same chain at GET /pki/chain.pem as `satellite pki chain` prints', async () => {
    const served = (await https('GET', '/pki/chain.pem')).text;
    const printed = (await cli('pki', 'chain')).stdout;
    assert.equal(served.trim(), printed.trim());
    assert.equal((served.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    writeFileSync(join(dir, 'chain.pem'), served);
  });

  // One reservation through its life, in steps: each step is a few processes, and they run in order.
  let slr = { id: '', authorizationCode: '' };

  it('SLR: the device makes a request code; the admin reserves 4; the device refuses a tampered code and installs the real one', async () => {
    const requestCode = line((await device('sw1', 'request', '--pid', 'C9300-24UX', '--serial', 'FCW2134L0RN')).stdout, 'request code');
    assert.match(requestCode, /^CB-ZC9300-24UX:FCW2134L0RN-[1-9A-HJ-NP-Za-km-z]+-[0-9A-F]{2}$/);
    const created = JSON.parse((await cli('reservation', 'create', ...VA, '--code', requestCode, '--license', `${UCM}=4`, '--json')).stdout) as
      { productInstanceId: string; authorizationCode: string; status: string };
    assert.equal(created.status, 'RESERVED');
    slr = { id: created.productInstanceId, authorizationCode: created.authorizationCode };
    assert.equal(await inUseColumn(UCM), '4 (4 Reserved)');
    writeFileSync(join(dir, 'auth.xml'), created.authorizationCode);

    // Another device's code is refused the same way: test/api/reservations-bad-input.test.ts.
    writeFileSync(join(dir, 'tampered.xml'), created.authorizationCode.replace('<count>4</count>', '<count>40</count>'));
    await assert.rejects(device('sw1', 'install', '--chain', join(dir, 'chain.pem'), '--file', join(dir, 'tampered.xml')), fails(/not signed by the satellite/));
    const installed = (await device('sw1', 'install', '--chain', join(dir, 'chain.pem'), '--file', join(dir, 'auth.xml'))).stdout;
    assert.match(installed, new RegExp(`reserved: ${UCM.replace(/[.,]/g, '\\$&')} x 4`));
    assert.match((await cli('reservation', 'confirm', slr.id, ...VA, '--code', line(installed, 'confirmation code'))).stdout, /confirmed/);
  });

  it('SLR: an update to 6 is IN_TRANSIT and holds 6 until the device\'s confirmation code is entered', async () => {
    await cli('reservation', 'update', slr.id, ...VA, '--license', `${UCM}=6`, '--out', join(dir, 'update.xml'));
    assert.deepEqual(await pool(UCM), { inUse: 6, reserved: 6 });
    assert.equal(JSON.parse((await api('GET', `/reservations/${slr.id}`)).text).reservation.status, 'IN_TRANSIT');
    const updated = line((await device('sw1', 'install', '--chain', join(dir, 'chain.pem'), '--file', join(dir, 'update.xml'))).stdout, 'confirmation code');
    await cli('reservation', 'confirm', slr.id, ...VA, '--code', updated);
    assert.equal(JSON.parse((await api('GET', `/reservations/${slr.id}`)).text).reservation.status, 'RESERVED');
  });

  it('SLR: the device returns it; a wrong return code changes nothing, the right one frees the pool', async () => {
    const returnCode = line((await device('sw1', 'return')).stdout, 'return code');
    await assert.rejects(cli('reservation', 'return', slr.id, ...VA, '--code', 'ChWhde-okvz5f-rbr'), fails(/return code does not match/));
    assert.deepEqual(await pool(UCM), { inUse: 6, reserved: 6 });
    assert.match((await cli('reservation', 'return', slr.id, ...VA, '--code', returnCode)).stdout, /returned/);
    assert.deepEqual(await pool(UCM), { inUse: 0, reserved: 0 });
    assert.equal((await cli('reservation', 'list', ...VA)).stdout.trim(), '');
  });

  it('PLR: one seat of the chosen license, returned with a code made from the authorization code', async () => {
    const requestCode = line((await device('exp1', 'request', '--pid', 'Expressway', '--serial', '08F8FF3C')).stdout, 'request code');
    const created = JSON.parse((await cli('reservation', 'create', ...VA, '--code', requestCode, '--type', 'UNIVERSAL', '--license', DNA, '--json')).stdout) as
      { productInstanceId: string; authorizationCode: string };
    assert.match(created.authorizationCode, /^([1-9A-HJ-NP-Za-km-z]{6}-)+[1-9A-HJ-NP-Za-km-z]{1,6}$/);
    assert.deepEqual(await pool(DNA), { inUse: 1, reserved: 1 });
    const installed = (await device('exp1', 'install', '--chain', join(dir, 'chain.pem'), created.authorizationCode)).stdout;
    assert.match(installed, /permanent license reservation \(PLR\)/);
    await cli('reservation', 'confirm', created.productInstanceId, ...VA, '--code', line(installed, 'confirmation code'));
    const returnCode = line((await device('exp1', 'return-authorization', created.authorizationCode)).stdout, 'return code');
    await cli('reservation', 'return', created.productInstanceId, ...VA, '--code', returnCode);
    assert.deepEqual(await pool(DNA), { inUse: 0, reserved: 0 });
    assert.deepEqual(JSON.parse((await api('GET', '/reservations')).text), { reservations: [] });
  });
});
