import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'scripts/satellite.ts')];
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** What a new admin meets first: typos in --data, --version, help, re-running the demo, error wording. */
describe('the CLI on first use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-cli-first-'));
  const data = join(dir, 'data');
  const env = { ...process.env, SATELLITE_DATA_DIR: data, SATELLITE_HOSTNAMES: 'localhost', SATELLITE_LOG_LEVEL: 'warn' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (...args: string[]) => run(process.execPath, [...CLI, ...args], { env, cwd: ROOT });
  const failure = async (...args: string[]) => {
    try {
      await cli(...args);
    } catch (error) {
      return error as { code: number; stderr: string; stdout: string };
    }
    throw new Error(`${args.join(' ')} succeeded`);
  };

  it('refuses an admin command on a directory without a satellite, names it and the way to point at one, and creates nothing', async () => {
    const typo = join(dir, 'dta');
    const refused = await failure('token', 'list', '--account', 'A', '--va', 'B', '--data', typo);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`no satellite in ${typo}`));
    assert.match(refused.stderr, /--data or SATELLITE_DATA_DIR/);
    assert.match(refused.stderr, /satellite init/);
    assert.ok(!existsSync(typo), 'the mistyped directory was not created');
  });

  it('prints the version of package.json', async () => {
    assert.equal((await cli('--version')).stdout.trim(), VERSION);
  });

  it('lists every sync subcommand in the top-level help', async () => {
    const top = (await cli('--help')).stdout.replace(/\s+/g, ' ');
    const sub = (await cli('sync', '--help')).stdout;
    const names = [...sub.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1] ?? '').filter((n) => n !== 'help');
    assert.ok(names.length >= 7, names.join(','));
    const line = /sync synchronization with the upstream: ([a-z]+(?:, [a-z]+)*)/.exec(top)?.[1] ?? '';
    assert.deepEqual(line.split(', ').map((n) => n.trim()), names);
  });

  it('init creates the satellite; demo seed runs twice without doubling the licenses', async () => {
    await cli('init');
    assert.ok(existsSync(join(data, 'pki', 'root.pem')));
    const first = (await cli('demo', 'seed')).stdout.trim();
    const second = await cli('demo', 'seed');
    assert.notEqual(second.stdout.trim(), first, 'a new token');
    assert.match(second.stderr, /already present/);
    const lines = JSON.parse((await cli('license', 'list', '--account', 'Demo Account', '--va', 'Default', '--json')).stdout) as Array<{ purchased?: number; quantity?: number }>;
    assert.deepEqual(lines.map((l) => l.purchased ?? l.quantity).sort(), [10, 100]);
  });

  it('words refusals with the CLI flags, not the API fields', async () => {
    const days = await failure('token', 'create', '--account', 'Demo Account', '--va', 'Default', '--days', '0');
    assert.match(days.stderr, /--days must be an integer from 1 to 365/);
    assert.doesNotMatch(days.stderr, /expiresAfterDays/);
    const uses = await failure('token', 'create', '--account', 'Demo Account', '--va', 'Default', '--max-uses', '0');
    assert.match(uses.stderr, /--max-uses must be/);
  });

  it('records the OS user of CLI admin actions in the event log', async () => {
    await cli('account', 'create', 'Audit Corp');
    const { stdout } = await run('sqlite3', ['-readonly', join(data, 'satellite.db'), "SELECT actor_id FROM events WHERE type = 'ACCOUNT_CREATED' AND message LIKE '%Audit Corp%'"]);
    assert.equal(stdout.trim(), `cli:${userInfo().username}`);
  });
});
