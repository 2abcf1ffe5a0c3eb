import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { ManualClock } from '../../licensing/shared/clock.js';
import { composeSatellite } from '../../server/composition-root.js';
import { loadConfig } from '../../server/config.js';
import { loadOrCreatePki } from '../../server/pki/pki-file-store.js';
import { uuidGenerator } from '../../licensing/shared/id-generator.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'scripts/satellite.ts')];

/** `satellite user ...` and `satellite api-client ...` as real processes on a data directory. */
describe('user and api-client CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-auth-cli-'));
  const env = { ...process.env, SATELLITE_DATA_DIR: join(dir, 'data'), SATELLITE_HOSTNAMES: 'localhost', SATELLITE_LOG_LEVEL: 'warn' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (...args: string[]) => run(process.execPath, [...CLI, ...args], { env, cwd: ROOT });
  const cliWithStdin = (input: string, ...args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
  /** Opens the same data directory in-process to check what the CLI wrote. */
  const open = async () => {
    const config = loadConfig(env);
    const pki = await loadOrCreatePki(config.dataDir, { hostNames: config.hostNames, now: Date.now(), commonName: config.name });
    return composeSatellite({
      databaseFile: config.databaseFile, pkiMaterial: pki.material, clock: new ManualClock(Date.now()), newId: uuidGenerator,
      timers: config.timers, logger: pino({ level: 'silent' }),
    });
  };

  it('adds users with a generated or piped password, lists them and resets a password', async () => {
    await cli('init');
    const generated = (await cli('user', 'add', 'alice', '--role', 'admin')).stdout.trim();
    assert.match(generated, /^[A-Za-z0-9_-]{24}$/);
    const piped = await cliWithStdin('bob-password-1\n', 'user', 'add', 'bob', '--role', 'viewer', '--password-stdin');
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout, '', 'a chosen password is not echoed');
    const list = JSON.parse((await cli('user', 'list', '--json')).stdout) as Array<{ username: string; role: string; mustChangePassword: boolean }>;
    assert.deepEqual(list.map((u) => [u.username, u.role, u.mustChangePassword]), [['alice', 'admin', true], ['bob', 'viewer', false]]);
    const reset = (await cli('user', 'passwd', 'bob')).stdout.trim();
    assert.match(reset, /^[A-Za-z0-9_-]{24}$/);
    const satellite = await open();
    try {
      assert.equal((await satellite.sessions.login('alice', generated)).user.username, 'alice');
      await assert.rejects(satellite.sessions.login('bob', 'bob-password-1'), { code: 'UNAUTHENTICATED' });
      assert.equal((await satellite.sessions.login('bob', reset)).user.mustChangePassword, true);
    } finally {
      satellite.close();
    }
    await assert.rejects(cli('user', 'add', 'carol', '--role', 'superuser'), (e: { code?: number; stderr?: string }) => e.code === 1 && /--role/.test(e.stderr ?? ''));
  });

  it('creates an API client (secret printed once), lists it without the secret and revokes it', async () => {
    const created = (await cli('api-client', 'create', '--name', 'monitoring', '--role', 'viewer')).stdout;
    const clientId = /client_id: (\S+)/.exec(created)?.[1] ?? '';
    const secret = /client_secret: (\S+)/.exec(created)?.[1] ?? '';
    assert.ok(clientId && secret);
    const listed = (await cli('api-client', 'list')).stdout;
    assert.match(listed, new RegExp(`${clientId}\tmonitoring\tviewer\tall accounts\tactive`));
    assert.ok(!listed.includes(secret));
    const satellite = await open();
    try {
      assert.ok(satellite.accessTokens.issue(clientId, secret).accessToken);
    } finally {
      satellite.close();
    }
    await cli('api-client', 'revoke', clientId);
    assert.match((await cli('api-client', 'list')).stdout, /\trevoked/);
  });
});
