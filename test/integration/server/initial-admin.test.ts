import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, it } from 'vitest';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../../server/config.js';
import { createSatelliteApp } from '../../../server/create-satellite-app.js';
import { startSatellite } from '../../../server/main.js';

const dirs: string[] = [];
afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });
function configFor(port = '0') {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-first-start-'));
  dirs.push(dir);
  return loadConfig({ SATELLITE_DATA_DIR: dir, SATELLITE_PORT: port, SATELLITE_HOST: '127.0.0.1', SATELLITE_HOSTNAMES: 'localhost', SATELLITE_LOG_LEVEL: 'info' });
}

function capturingLogger(): { logger: Logger; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), text: () => text };
}

const passwordIn = (file: string) => readFileSync(file, 'utf8').trim();

describe('first start', () => {
  const config = configFor();
  const file = join(config.dataDir, 'initial-admin-password');

  it('creates user admin with a one-time password written to <data>/initial-admin-password (0600), never logged', async () => {
    const log = capturingLogger();
    const running = await startSatellite(config, { logger: log.logger });
    try {
      assert.deepEqual(running.initialAdmin, { username: 'admin', passwordFile: file });
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const password = passwordIn(file);
      assert.equal(password.length, 24);
      const admin = running.satellite.users.get('admin');
      assert.equal(admin.role, 'admin');
      assert.equal(admin.accountScope, null);
      assert.equal(admin.mustChangePassword, true);
      const signedIn = await running.satellite.sessions.login('admin', password);
      assert.equal(signedIn.user.username, 'admin');
      assert.match(log.text(), /created the initial admin user/);
      assert.match(log.text(), /initial-admin-password/);
      assert.ok(!log.text().includes(password), 'the password is not in the log');
    } finally {
      await running.close();
    }
  });

  it('creates nobody on later starts, and still names the file while the password is unchanged', async () => {
    const before = passwordIn(file);
    const running = await startSatellite(config, { logger: pino({ level: 'silent' }) });
    try {
      assert.deepEqual(running.initialAdmin, { username: 'admin', passwordFile: file });
      assert.equal(passwordIn(file), before);
      assert.equal(running.satellite.users.list().length, 1);
    } finally {
      await running.close();
    }
  });

  it('removes the file at the first password change', async () => {
    const running = await startSatellite(config, { logger: pino({ level: 'silent' }) });
    try {
      const { user } = await running.satellite.sessions.login('admin', passwordIn(file));
      const principal = { kind: 'user' as const, id: user.id, name: 'admin', role: 'admin' as const, accountScope: null };
      await running.satellite.users.changePassword('admin', { currentPassword: passwordIn(file), newPassword: 'a-new-long-password-1' }, principal);
      assert.ok(!existsSync(file));
    } finally {
      await running.close();
    }
    const again = await startSatellite(config, { logger: pino({ level: 'silent' }) });
    assert.equal(again.initialAdmin, null);
    await again.close();
  });

  it('a start that fails on a busy port says so, creates no admin and leaves no password; the next start issues one', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = (blocker.address() as { port: number }).port;
    const busy = configFor(String(busyPort));
    try {
      await assert.rejects(startSatellite(busy, { logger: pino({ level: 'silent' }) }),
        { message: `port ${busyPort} is in use; set SATELLITE_PORT or --port` });
    } finally {
      blocker.close();
    }
    assert.ok(!existsSync(join(busy.dataDir, 'initial-admin-password')));
    const running = await startSatellite({ ...busy, port: 0 }, { logger: pino({ level: 'silent' }) });
    try {
      const password = passwordIn(join(busy.dataDir, 'initial-admin-password'));
      assert.equal((await running.satellite.sessions.login('admin', password)).user.username, 'admin');
    } finally {
      await running.close();
    }
  });

  it('createSatelliteApp (embedded) creates no user: embedders seed their own', async () => {
    const app = await createSatelliteApp();
    try {
      assert.equal(app.satellite.users.list().length, 0);
    } finally {
      app.close();
    }
  });
});
