import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { bearerFor } from '../../support/admin-auth.js';
import { connectedLab, startFakeUpstream, type ConnectedLab, type FakeUpstream } from '../../support/connected-sync-kit.js';

const API = '/backend/api/v1/sync';

describe('admin API: sync status, sync now (409 while running), request download', () => {
  let lab: ConnectedLab;
  let fake: FakeUpstream;
  let operator = '';
  let viewer = '';
  beforeAll(async () => {
    lab = await connectedLab();
    fake = await startFakeUpstream(lab.f, lab.upstream);
    lab.pointAt(fake.url);
    operator = await bearerFor(lab.f.app, { role: 'operator' });
    viewer = await bearerFor(lab.f.app, { role: 'viewer' });
  });
  afterAll(async () => {
    await fake.close();
    await lab.cleanup();
  });

  const status = async () => {
    const res = await request(lab.f.app).get(`${API}/status`).set('authorization', viewer);
    assert.equal(res.status, 200, res.text);
    return res.body as Record<string, unknown>;
  };

  it('status before any sync: connected, never synced, credential expiry shown', async () => {
    const body = await status();
    assert.equal(body['mode'], 'connected');
    assert.equal(body['upstreamUrl'], fake.url);
    assert.equal(body['lastSuccessAt'], null);
    assert.equal(body['syncAge'], 'never');
    assert.equal(typeof body['credentialExpiresAt'], 'string');
  });

  it('POST /sync/run needs an operator, syncs, and the status shows the success', async () => {
    const denied = await request(lab.f.app).post(`${API}/run`).set('authorization', viewer);
    assert.equal(denied.status, 403);
    const res = await request(lab.f.app).post(`${API}/run`).set('authorization', operator);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, true);
    assert.equal(res.body.status, 'IMPORTED');
    const body = await status();
    assert.equal(body['daysSinceLastSync'], 0);
    assert.equal(body['lastError'], null);
  });

  it('a failed run is a 200 with ok false and its class; the status shows the error class', async () => {
    fake.behaviour = 'conflict';
    const res = await request(lab.f.app).post(`${API}/run`).set('authorization', operator);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.failureClass, 'conflict');
    const body = await status();
    assert.deepEqual((body['lastError'] as { failureClass: string }).failureClass, 'conflict');
  });

  it('409 while a run is in progress', async () => {
    fake.behaviour = 'slow';
    const running = lab.f.app.satellite.syncRunner.runNow();
    const res = await request(lab.f.app).post(`${API}/run`).set('authorization', operator);
    assert.equal(res.status, 409, res.text);
    assert.equal((await status())['running'], true);
    await fake.whenHeld();
    fake.releaseSlow();
    assert.equal((await running).ok, false);
  });

  it('GET /sync/export downloads a signed request bundle', async () => {
    const res = await request(lab.f.app).get(`${API}/export`).set('authorization', operator)
      .buffer(true).parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /application\/zip/);
    assert.ok(Buffer.isBuffer(res.body) && res.body.subarray(0, 2).toString() === 'PK');
  });
});
