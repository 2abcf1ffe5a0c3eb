import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'scripts/satellite.ts')];
const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';

/** The README demo, as real processes: `satellite serve`, then the admin and device CLIs against it. */
describe('satellite serve + device CLI over real HTTPS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-e2e-'));
  const env = { ...process.env, SATELLITE_DATA_DIR: join(dir, 'data'), SATELLITE_PORT: '0', SATELLITE_HOST: '127.0.0.1', SATELLITE_HOSTNAMES: 'localhost,127.0.0.1', SATELLITE_LOG_LEVEL: 'warn' };
  let server: ChildProcess;
  let banner = '';
  const cli = (...args: string[]) => run(process.execPath, [...CLI, ...args], { env, cwd: ROOT });

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
  });

  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (kind: 'json' | 'callHome') => {
    const match = new RegExp(`Device transport URL \\(${kind === 'json' ? 'JSON' : 'Call Home'}\\):\\s+(\\S+)`).exec(banner);
    assert.ok(match?.[1], `banner names the ${kind} URL`);
    return match[1];
  };
  const rootCa = () => /Root CA to give devices:\s+(\S+)/.exec(banner)?.[1] ?? '';

  it('names its version and, on the first start, the file holding the one-time admin password, never the password', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.match(banner, new RegExp(`^License Satellite ${version.replace(/\./g, '\\.')} is serving on https://`));
    const file = join(dir, 'data', 'initial-admin-password');
    assert.match(banner, new RegExp(`one-time password in ${file}`));
    assert.match(banner, /satellite user passwd admin/);
    const password = readFileSync(file, 'utf8').trim();
    assert.equal(password.length, 24);
    assert.ok(!banner.includes(password), 'the password is not on stdout');
  });

  it('prints both transport URLs and the root CA path', () => {
    assert.match(url('json'), /^https:\/\/localhost:\d+\/SmartTransport$/);
    assert.match(url('callHome'), /\/Transportgateway\/services\/DeviceRequestHandler$/);
    assert.match(readFileSync(rootCa(), 'utf8'), /BEGIN CERTIFICATE/);
  });

  for (const kind of ['json', 'callHome'] as const) {
    it(`registers, authorizes, renews and deregisters a simulated device over ${kind}`, async () => {
      const token = (await cli('token', 'create', '--account', 'Demo Account', '--va', 'Default', '--max-uses', '1')).stdout.trim();
      const state = join(dir, `device-${kind}`);
      const reg = await cli('device', 'register', '--url', url(kind), '--token', token, '--ca', rootCa(), '--state', state);
      assert.match(reg.stdout, /status: OK/);
      assert.match(reg.stdout, /virtual account: Default/);

      // The ID certificate verifies with an independent tool against the chain the device received.
      const saved = JSON.parse(readFileSync(join(state, 'state.json'), 'utf8')) as { certificate_chain: string[]; registration: { id_certificate_pem: string } };
      const [signing] = saved.certificate_chain;
      writeFileSync(join(state, 'signing.pem'), signing ?? '');
      writeFileSync(join(state, 'id.pem'), saved.registration.id_certificate_pem);
      const verified = await run('openssl', ['verify', '-CAfile', rootCa(), '-untrusted', join(state, 'signing.pem'), join(state, 'id.pem')]);
      assert.match(verified.stdout, /OK/);

      const auth = await cli('device', 'authorize', '--state', state, '--tag', `${UCM}=3`);
      assert.match(auth.stdout, /authorization: AUTHORIZED/);
      assert.match((await cli('device', 'renew', '--state', state)).stdout, /status: OK/);
      assert.match((await cli('device', 'deregister', '--state', state)).stdout, /registration: UNREGISTERED/);
      // The token allowed one use: a second device is refused with the protocol's code and exit code 1.
      await assert.rejects(cli('device', 'register', '--url', url(kind), '--token', token, '--ca', rootCa(), '--state', `${state}-2`),
        (error: { code?: number; stderr?: string }) => error.code === 1 && /TOKEN_EXHAUSTED/.test(error.stderr ?? ''));
    });
  }

  it('shuts down cleanly on SIGTERM', async () => {
    server.kill('SIGTERM');
    const code = await new Promise((resolve) => server.once('exit', resolve));
    assert.equal(code, 0);
  });

  beforeAll(async () => {
    // Seeding runs while the server is up: WAL and the busy timeout let the CLI share the database.
    await cli('demo', 'seed');
  });
});
