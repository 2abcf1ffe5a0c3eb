import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { ManualClock } from '../../licensing/shared/clock.js';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';
import { bearerFor } from '../support/admin-auth.js';

const SYNC = '/backend/api/v1/sync';

// docs/decisions.md: sync concerns the whole satellite (a bundle carries every bound account), so every sync
// route, reads included, is for principals without an account scope.
describe('sync routes follow one account rule', () => {
  let app: SatelliteApp;
  beforeAll(async () => {
    app = await createSatelliteApp({ clock: new ManualClock(Date.UTC(2026, 5, 1)) });
    app.seed.account('Acme');
  });
  afterAll(() => app.close());

  it('refuses every sync route, GET /sync/status included, to an admin scoped to one account', async () => {
    const scoped = await bearerFor(app, { role: 'admin', accountScope: ['Acme'] });
    const calls = [
      request(app).get(`${SYNC}/status`), request(app).get(`${SYNC}/imports`),
      request(app).get(`${SYNC}/export`), request(app).post(`${SYNC}/run`),
    ];
    for (const call of calls) {
      const res = await call.set('authorization', scoped);
      assert.equal(res.status, 403, res.text);
      assert.match(res.body.error.message, /limited to some accounts/);
    }
  });

  it('answers GET /sync/status to an unscoped viewer', async () => {
    const viewer = await bearerFor(app, { role: 'viewer' });
    const res = await request(app).get(`${SYNC}/status`).set('authorization', viewer).expect(200);
    assert.equal(res.body.registered, false);
  });
});
