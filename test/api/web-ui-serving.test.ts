import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';

/** How the satellite serves the built web UI (DESIGN §10), against a stand-in build in a temp directory. */
describe('web UI serving', () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-ui-'));
  const INDEX = '<!doctype html><title>License Satellite</title><script type="module" src="/assets/index-abc123.js"></script>';
  let app: SatelliteApp;
  let unbuilt: SatelliteApp;
  beforeAll(async () => {
    mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'web', 'index.html'), INDEX);
    writeFileSync(join(dir, 'web', 'assets', 'index-abc123.js'), 'console.log("ui")');
    app = await createSatelliteApp({ http: { webUiDir: join(dir, 'web') } });
    unbuilt = await createSatelliteApp({ http: { webUiDir: join(dir, 'missing') } });
  });
  afterAll(() => {
    app.close();
    unbuilt.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html, never cached stale, at / and at every page and deep link', async () => {
    for (const path of ['/', '/dashboard', '/licenses', '/licenses/regid.2016-07.com.cisco.UCM%2C12.0?account=A&va=B', '/product-instances/0f3c?account=A', '/users', '/settings']) {
      const res = await request(app).get(path).expect(200);
      assert.match(String(res.headers['content-type']), /^text\/html/, path);
      assert.equal(res.headers['cache-control'], 'no-cache', path);
      assert.equal(res.text, INDEX, path);
    }
  });

  it('serves hashed assets for a year, immutable', async () => {
    const res = await request(app).get('/assets/index-abc123.js').expect(200);
    assert.match(String(res.headers['cache-control']), /max-age=31536000/);
    assert.match(String(res.headers['cache-control']), /immutable/);
    assert.match(String(res.headers['content-type']), /javascript/);
  });

  it('sends a strict CSP: scripts, styles and fonts from this origin only, no inline script, no https: source', async () => {
    const csp = String((await request(app).get('/dashboard')).headers['content-security-policy']);
    const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';
    assert.equal(directive('script-src'), "script-src 'self'");
    assert.equal(directive('style-src'), "style-src 'self'");
    assert.equal(directive('font-src'), "font-src 'self'");
    assert.equal(directive('connect-src'), "connect-src 'self'");
    assert.doesNotMatch(csp, /https:|unsafe-inline|unsafe-eval/);
  });

  it('leaves the API, the device paths and unknown paths as they were', async () => {
    const unknownApi = await request(app).get('/backend/api/v1/no-such-thing').expect(404);
    assert.equal(unknownApi.body.error.code, 'NOT_FOUND');
    const unknown = await request(app).get('/no-such-page').expect(404);
    assert.equal(unknown.body.error.code, 'NOT_FOUND');
    const missingAsset = await request(app).get('/assets/index-gone.js').expect(404);
    assert.equal(missingAsset.body.error.code, 'NOT_FOUND');
    await request(app).get('/healthz').expect(200);
    await request(app).get('/backend/api/v1/session').expect(403); // no credentials: 403 (DESIGN §6 amended)
    await request(app).get('/SmartTransport').expect(404);
  });

  it('says how to build the UI when it is missing, with a 503 instead of an empty page', async () => {
    const res = await request(unbuilt).get('/dashboard').expect(503);
    assert.match(res.body.error.message, /npm run build/);
  });
});
