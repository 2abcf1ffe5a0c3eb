import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, it } from 'vitest';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../../server/config.js';
import { createSatelliteApp } from '../../../server/create-satellite-app.js';
import { startSatellite } from '../../../server/main.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-first-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = loadConfig({
  SATELLITE_DATA_DIR: dir, SATELLITE_PORT: '0', SATELLITE_HOST: '127.0.0.1', SATELLITE_HOSTNAMES: 'localhost', SATELLITE_LOG_LEVEL: 'info',
});

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

describe('first start', () => {
  it('creates user admin with a one-time password that is returned once and never logged', async () => {
    const log = capturingLogger();
    const running = await startSatellite(config, { logger: log.logger });
    try {
      assert.ok(running.initialAdmin);
      assert.equal(running.initialAdmin.username, 'admin');
      assert.equal(running.initialAdmin.password.length, 24);
      const admin = running.satellite.users.get('admin');
      assert.equal(admin.role, 'admin');
      assert.equal(admin.accountScope, null);
      assert.equal(admin.mustChangePassword, true);
      const signedIn = await running.satellite.sessions.login('admin', running.initialAdmin.password);
      assert.equal(signedIn.user.username, 'admin');
      assert.match(log.text(), /created the initial admin user/);
      assert.ok(!log.text().includes(running.initialAdmin.password), 'the password is not in the log');
    } finally {
      await running.close();
    }
  });

  it('creates nobody on later starts', async () => {
    const running = await startSatellite(config, { logger: pino({ level: 'silent' }) });
    try {
      assert.equal(running.initialAdmin, null);
      assert.equal(running.satellite.users.list().length, 1);
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
