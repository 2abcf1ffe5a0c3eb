import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';

describe('health endpoints', () => {
  let app: SatelliteApp;
  beforeAll(async () => { app = await createSatelliteApp(); });
  afterAll(() => app.close());

  it('answers liveness', async () => {
    const res = await request(app).get('/healthz').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('reports readiness: database open, migrations applied, PKI loaded', async () => {
    const res = await request(app).get('/readyz').expect(200);
    assert.deepEqual(res.body.checks, { database: true, migrations: true, pki: true });
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(res.body.version, pkg.version);
  });

  it('is not ready once the database is closed', async () => {
    const other = await createSatelliteApp();
    other.close();
    const res = await request(other).get('/readyz').expect(503);
    assert.equal(res.body.status, 'not ready');
  });

  it('answers unknown routes with a JSON 404 naming the route, and sets security headers', async () => {
    const res = await request(app).get('/nope').expect(404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
    assert.match(res.body.error.message, /GET \/nope/);
    assert.ok(res.headers['x-request-id']);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });
});
