import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, it } from 'vitest';
import { cli, satelliteEnv, startSatellite } from '../support/sync-processes.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'scripts/satellite.ts')];

/** What the image relies on: the healthcheck finds the real port, and a foreign-owned volume is explained. */
describe('serve as the container runs it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-container-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('satellite healthcheck reaches /healthz where serve really listens, over verified TLS, and fails once it stopped', async () => {
    const env = satelliteEnv(join(dir, 'data'));
    const server = await startSatellite(env);
    try {
      const port = /:(\d+)\/SmartTransport/.exec(server.jsonUrl)?.[1];
      const listening = JSON.parse(readFileSync(join(dir, 'data', 'listening.json'), 'utf8')) as { port: number; host: string };
      assert.equal(String(listening.port), port, 'port 0 resolved to the real one');
      assert.match(await cli(env, 'healthcheck'), new RegExp(`^ok: https://localhost:${port}/healthz via 127\\.0\\.0\\.1`));
    } finally {
      assert.equal(await server.stop(), 0);
    }
    assert.ok(!existsSync(join(dir, 'data', 'listening.json')));
    await assert.rejects(cli(env, 'healthcheck'), (e: { code?: number; stderr?: string }) => e.code === 1 && /no satellite is serving/.test(e.stderr ?? ''));
  });

  it('refuses a data directory the process cannot write, naming its owner and the fix', async (context) => {
    if (process.getuid?.() !== 0) context.skip();
    const mounted = join(dir, 'mounted');
    mkdirSync(mounted, { mode: 0o700 });
    chmodSync(dir, 0o755);
    const failed = await run(process.execPath, [...CLI, 'serve'], {
      cwd: ROOT, uid: 65534, gid: 65534, env: { ...satelliteEnv(mounted), HOME: tmpdir() },
    }).then(() => null, (error: { code?: number; stderr?: string }) => error);
    assert.ok(failed, 'serve must not start');
    assert.equal(failed.code, 1);
    assert.match(failed.stderr ?? '', new RegExp(`the data directory ${mounted} is not writable by this process \\(user \\S+, uid 65534\\); it belongs to uid 0`));
    assert.match(failed.stderr ?? '', /chown -R 65534:65534 <host directory>/);
    assert.ok(!existsSync(join(mounted, 'pki')));
  });
});
