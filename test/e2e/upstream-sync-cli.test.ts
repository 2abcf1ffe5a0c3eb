import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'scripts/satellite.ts')];

/** The reference upstream and the satellite as two real processes sharing nothing but a file: DESIGN §5.4. */
describe('upstream and satellite registration, end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upstream-e2e-'));
  const upstreamDir = join(dir, 'upstream');
  const env = { ...process.env, SATELLITE_DATA_DIR: join(dir, 'satellite'), SATELLITE_HOSTNAMES: 'localhost', SATELLITE_LOG_LEVEL: 'warn' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = async (...args: string[]) => (await run(process.execPath, [...CLI, ...args], { env, cwd: ROOT })).stdout;
  const field = (stdout: string, label: string) => new RegExp(`^${label.replace(/[()]/g, '\\$&')}: (.+)$`, 'm').exec(stdout)?.[1] ?? '';

  it('init -> register-satellite -> sync register -> sync status, with the same fingerprint on both sides and from openssl', async () => {
    const init = await cli('upstream', 'init', '--data', upstreamDir, '--orders', join(ROOT, 'sync/upstream/examples/orders.json'));
    const upstreamId = field(init, 'upstream id');
    const fingerprint = field(init, 'upstream key fingerprint (SHA-256)');
    assert.match(fingerprint, /^[0-9a-f]{64}$/);
    const der = await run('openssl', ['pkey', '-pubin', '-in', join(upstreamDir, 'upstream-public.pem'), '-outform', 'DER'], { encoding: 'buffer' });
    const digest = await new Promise<string>((resolve, reject) => {
      const child = execFile('openssl', ['dgst', '-sha256'], (error, stdout) => (error ? reject(error) : resolve(stdout)));
      child.stdin?.end(der.stdout);
    });
    assert.ok(digest.trim().endsWith(fingerprint), `openssl agrees: ${digest}`);

    const file = join(dir, 'registration.json');
    const issued = await cli('upstream', 'register-satellite', '--data', upstreamDir, '--name', 'Site A', '--account', 'Acme Corp', '--va', 'Default', '--out', file);
    assert.equal(field(issued, 'upstream key fingerprint (SHA-256)'), fingerprint);
    const satelliteId = field(issued, 'satellite id');

    // Only serve and init create a satellite; every other command refuses an empty directory.
    await cli('init');
    const registered = await cli('sync', 'register', file, '--fingerprint', fingerprint);
    assert.equal(field(registered, 'satellite'), `Site A (${satelliteId})`);
    assert.equal(field(registered, 'upstream'), upstreamId);
    assert.equal(field(registered, 'upstream key fingerprint (SHA-256)'), fingerprint);

    const status = JSON.parse(await cli('sync', 'status', '--json')) as Record<string, unknown>;
    assert.deepEqual(
      [status.registered, status.satellite_id, status.upstream_id, status.mode, status.days_since_last_sync, status.days_since_bound, status.credential_days_left, status.virtual_accounts],
      [true, satelliteId, upstreamId, 'disconnected', null, 0, 364, ['Acme Corp/Default']],
    );
    assert.deepEqual(JSON.parse(await cli('va', 'list', '--account', 'Acme Corp', '--json')).map((v: { name: string; origin: string }) => [v.name, v.origin]), [['Default', 'upstream']]);
    await assert.rejects(cli('upstream', 'load-orders', '--data', upstreamDir, join(dir, 'missing.csv')), (e: { code?: number; stderr?: string }) => e.code === 1 && /missing\.csv/.test(e.stderr ?? ''));
  });

  it('sync export -> upstream process: real processes exchange a request and a response that unzip -t accepts', async () => {
    const request = join(dir, 'request.zip');
    const response = join(dir, 'response.zip');
    const exported = JSON.parse(await cli('sync', 'export', '--out', request, '--json')) as { sequence: number };
    assert.equal(exported.sequence, 1);
    await run('unzip', ['-t', request]);
    const processed = JSON.parse(await cli('upstream', 'process', request, '--data', upstreamDir, '--out', response, '--json')) as Record<string, unknown>;
    assert.deepEqual([processed.request_sequence, processed.pinned_key, processed.license_lines], [1, true, 2]);
    await run('unzip', ['-t', response]);
    const sig = join(dir, 'response.sig.der');
    const { stdout: sigB64 } = await run('unzip', ['-p', response, 'manifest.sig']);
    writeFileSync(sig, Buffer.from(sigB64, 'base64'));
    const manifest = join(dir, 'response.manifest.json');
    writeFileSync(manifest, (await run('unzip', ['-p', response, 'manifest.json'], { encoding: 'buffer' })).stdout);
    const verified = await run('openssl', ['dgst', '-sha256', '-verify', join(upstreamDir, 'upstream-public.pem'), '-signature', sig, manifest]);
    assert.match(verified.stdout, /Verified OK/);
  });

  it('upstream serve answers /healthz and /upstream/v1/info on a port of its own and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [...CLI, 'upstream', 'serve', '--data', upstreamDir, '--port', '0'], { env, cwd: ROOT });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /serving on (http:\/\/\S+)/.exec(stdout);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`upstream serve exited with ${code}`)));
      });
      assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
      const info = await (await fetch(`${url}/upstream/v1/info`)).json() as Record<string, unknown>;
      assert.match(String(info.public_key_fingerprint), /^[0-9a-f]{64}$/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
