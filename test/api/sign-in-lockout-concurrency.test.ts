import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { ManualClock } from '../../licensing/shared/clock.js';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';

const SESSION = '/backend/api/v1/session';

// The finding: 24 parallel guesses all passed the lock check before any failure was counted, and the right
// one was accepted. The lock must be checked, and the attempt counted, before the password is evaluated.
describe('lockout under concurrent sign-ins', () => {
  let app: SatelliteApp;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    app = await createSatelliteApp({ clock: new ManualClock(Date.UTC(2026, 5, 1, 8)) });
    await app.seed.user('olga', 'olga-password', 'operator');
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    app.close();
  });

  const events = () => app.satellite.uow.read((r) => r.events.list({ limit: 1000, offset: 0 }));

  it('50 concurrent wrong sign-ins: exactly 5 evaluated, the rest refused as locked, then the right password too', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => request(base).post(SESSION).send({ username: 'olga', password: 'wrong-password' })));
    const statuses = answers.map((res) => res.status);
    assert.equal(statuses.filter((s) => s === 401).length, 4, statuses.join(' '));
    assert.equal(statuses.filter((s) => s === 429).length, 46, statuses.join(' '));
    const failed = events().filter((e) => e.type === 'USER_LOGIN_FAILED');
    assert.equal(failed.filter((e) => e.details['reason'] === 'wrong password').length, 5, 'passwords evaluated');
    assert.equal(failed.filter((e) => e.details['reason'] === 'locked').length, 45);
    assert.equal(events().filter((e) => e.type === 'USER_LOCKED_OUT').length, 1);

    const right = await request(base).post(SESSION).send({ username: 'olga', password: 'olga-password' });
    assert.equal(right.status, 429, right.text);
    assert.equal(right.body.error.code, 'RATE_LIMITED');
    assert.equal(events().filter((e) => e.type === 'USER_LOGIN').length, 0);
  });
});
