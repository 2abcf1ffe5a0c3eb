import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, TAG_B, type Fixture } from '../support/satellite-fixture.js';
import { bearerFor } from '../support/admin-auth.js';
import { createSatelliteApp } from '../../server/create-satellite-app.js';

const run = promisify(execFile);

/** `name{labels} value` lines of the Prometheus text format, keyed by name and sorted labels. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels = (match[2] ?? '').replace(/^\{|\}$/g, '').split(',').filter(Boolean).sort().join(',');
    out.set(labels ? `${match[1]}{${labels}}` : (match[1] ?? ''), Number(match[3] === '+Inf' ? Infinity : match[3]));
  }
  return out;
}

describe('GET /metrics', () => {
  let f: Fixture;
  let text = '';
  beforeAll(async () => {
    f = await labSatellite();
    const device = await registerDevice(f);
    await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 3 }, { tag: TAG_B, count: 5 }] }));
    await request(f.app).get('/backend/api/v1/accounts/Acme/licenses').set('authorization', await bearerFor(f.app, { role: 'viewer' }));
    await request(f.app).get('/backend/api/v1/accounts/Nowhere/licenses').set('authorization', await bearerFor(f.app, { role: 'viewer' }));
    const res = await request(f.app).get('/metrics').expect(200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    text = res.text;
  });
  afterAll(() => f.app.close());

  it('counts device requests by transport, type and outcome, with a latency histogram', () => {
    const s = samples(text);
    assert.equal(s.get('satellite_device_requests_total{outcome="OK",transport="json",type="REGISTER"}'), 1);
    assert.equal(s.get('satellite_device_requests_total{outcome="OK",transport="json",type="AUTHORIZE"}'), 1);
    assert.equal(s.get('satellite_device_request_duration_seconds_count{transport="json",type="AUTHORIZE"}'), 1);
    assert.equal(s.get('satellite_device_request_duration_seconds_bucket{le="+Inf",transport="json",type="REGISTER"}'), 1);
  });

  it('counts admin requests by route pattern, not the raw URL, and status', () => {
    const s = samples(text);
    assert.equal(s.get('satellite_admin_requests_total{route="/backend/api/v1/accounts/:accountName/licenses",status="200"}'), 1);
    assert.equal(s.get('satellite_admin_requests_total{route="/backend/api/v1/accounts/:accountName/licenses",status="404"}'), 1);
    assert.ok(!text.includes('Nowhere'), 'no raw URL in a label');
    assert.equal(s.get('satellite_admin_requests_total{route="/backend/oauth/token",status="200"}'), 2);
  });

  it('reports the pools short, open alerts by type, sync and backup ages and the database size', () => {
    const s = samples(text);
    assert.equal(s.get('satellite_pools_short'), 1, 'TAG_B: 5 requested of 2');
    const open = f.app.satellite.uow.read((r) => r.alerts.listActive());
    assert.ok(open.length > 0);
    for (const type of new Set(open.map((a) => a.messageType))) {
      assert.equal(s.get(`satellite_alerts_open{type="${type}"}`), open.filter((a) => a.messageType === type).length);
    }
    assert.equal(s.get('satellite_sync_last_success_age_seconds'), Infinity, 'never synced');
    assert.equal(s.get('satellite_backup_last_success_age_seconds'), Infinity, 'never backed up');
    assert.equal(s.get('satellite_database_bytes'), 0, 'in-memory database');
  });

  it('reports the longest event-loop stall since the previous scrape', async () => {
    // A stall we cause ourselves (CPU, not a sleep): the gauge can only read it as long or longer, never shorter.
    const stallMs = 120;
    const until = performance.now() + stallMs;
    while (performance.now() < until) { /* hold the event loop, as a synchronous query would */ }
    const scraped = samples((await request(f.app).get('/metrics').expect(200)).text);
    assert.ok(scraped.has('satellite_event_loop_delay_seconds_count'), 'the delay histogram is exposed');
    const stalled = scraped.get('satellite_event_loop_stall_max_seconds');
    assert.ok(stalled !== undefined && stalled >= (stallMs - 20) / 1000, `gauge ${String(stalled)} s for a ${stallMs} ms stall`);
  });

  it('reports garbage-collection pauses by kind', async () => {
    // Enough short-lived garbage for several young-generation collections.
    let keep = 0;
    for (let i = 0; i < 200_000; i += 1) keep += JSON.stringify({ i, pad: 'x'.repeat(64) }).length;
    assert.ok(keep > 0);
    // gc entries reach the observer after the turn that made them.
    await new Promise((resolve) => setImmediate(resolve));
    const scraped = samples((await request(f.app).get('/metrics').expect(200)).text);
    const total = scraped.get('satellite_gc_pause_seconds_total{kind="minor"}');
    assert.ok(total !== undefined && total > 0, `minor GC total ${String(total)}`);
    const max = scraped.get('satellite_gc_pause_max_seconds{kind="minor"}');
    assert.ok(max !== undefined && max > 0 && max <= total, `minor GC max ${String(max)}`);
    assert.equal(scraped.has('satellite_gc_pause_max_seconds{kind="major"}'), true);
  });

  it('passes promtool check metrics', async (context) => {
    if (!existsSync('/usr/bin/promtool')) context.skip();
    const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
    try {
      writeFileSync(join(dir, 'metrics.txt'), text);
      const { stdout, stderr } = await run('sh', ['-c', `promtool check metrics < ${join(dir, 'metrics.txt')}`]);
      assert.equal(`${stdout}${stderr}`.trim(), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('who may read /metrics', () => {
  it('answers a loopback caller without credentials', async () => {
    const app = await createSatelliteApp();
    try {
      // supertest connects over 127.0.0.1: the socket address is really the loopback one.
      await request(app).get('/metrics').expect(200);
    } finally {
      app.close();
    }
  });

  it('otherwise needs a bearer token of any role (viewer is enough)', async () => {
    const app = await createSatelliteApp({ http: { metricsOpenOnLoopback: false } });
    try {
      const refused = await request(app).get('/metrics').expect(401);
      assert.equal(refused.body.error.code, 'UNAUTHENTICATED');
      await request(app).get('/metrics').set('x-forwarded-for', '127.0.0.1').expect(401);
      await request(app).get('/metrics').set('authorization', 'Bearer not-a-token').expect(401);
      for (const role of ['viewer', 'admin'] as const) {
        const res = await request(app).get('/metrics').set('authorization', await bearerFor(app, { role })).expect(200);
        assert.match(res.text, /^# HELP satellite_/m);
      }
    } finally {
      app.close();
    }
  });
});
