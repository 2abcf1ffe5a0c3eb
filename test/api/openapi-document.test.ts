import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';

describe('OpenAPI document', () => {
  let app: SatelliteApp;
  beforeAll(async () => { app = await createSatelliteApp(); });
  afterAll(() => app.close());

  it('is OpenAPI 3.1, public, and covers the OAuth endpoint and the admin tree', async () => {
    const res = await request(app).get('/backend/api/docs/openapi.json').expect(200);
    assert.equal(res.body.openapi, '3.1.0');
    const paths = Object.keys(res.body.paths as Record<string, unknown>);
    assert.ok(paths.includes('/backend/oauth/token'), 'token endpoint documented');
    assert.ok(paths.some((p) => p.startsWith('/backend/api/v1/')), 'admin tree documented');
    for (const [path, operations] of Object.entries(res.body.paths as Record<string, Record<string, { responses: object; summary: string }>>)) {
      for (const [method, op] of Object.entries(operations)) {
        assert.ok(op.summary, `${method} ${path} has a summary`);
        assert.ok(Object.keys(op.responses).length > 0, `${method} ${path} documents responses`);
        assert.ok(!path.includes(':'), `${path} uses {param} syntax`);
      }
    }
  });
});
