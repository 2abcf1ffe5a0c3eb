import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { ManualClock, MS_PER_HOUR } from '../../licensing/shared/clock.js';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';

const API = '/backend/api/v1';
const TAG = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';

// Each test replays one client's request sequence as that client sends it (DESIGN §6, amended).
describe('API-toolkit clients seen in the wild', () => {
  let app: SatelliteApp;
  let clock: ManualClock;
  let client: { id: string; secret: string };
  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1, 8));
    app = await createSatelliteApp({ clock });
    app.seed.account('Acme');
    app.seed.virtualAccount('Acme', 'Lab');
    app.seed.licenseLine('Acme', 'Lab', { tag: TAG, displayName: 'UCM Enhanced', quantity: 10 });
    await app.seed.user('ansible', 'ansible-password', 'operator');
    const created = app.satellite.apiClients.create({ name: 'automation', role: 'viewer' }, 'seed');
    client = { id: created.client.id, secret: created.clientSecret };
  });
  afterAll(() => app.close());

  it('the WWT Ansible module: waits for exactly 403, gets a password-grant token form-encoded, then works as the user', async () => {
    // Readiness loop: it polls the API without credentials until it sees 403.
    const ready = await request(app).get(`${API}/accounts/Acme/virtual-accounts`);
    assert.equal(ready.status, 403, ready.text);
    assert.equal(ready.body.error.details.reason, 'CREDENTIALS_REQUIRED');
    assert.equal((await request(app).get(`${API}/accounts/Acme/virtual-accounts`).set('authorization', 'Basic YW5zaWJsZTphbnNpYmxlLXBhc3N3b3Jk')).status, 403);

    const token = await request(app).post('/oauth/token').type('form').send({
      grant_type: 'password', client_id: client.id, client_secret: client.secret, username: 'ansible', password: 'ansible-password',
    });
    assert.equal(token.status, 200, token.text);
    assert.equal(token.body.token_type, 'bearer');
    assert.equal(token.body.expires_in, 3600);
    assert.equal(token.headers['cache-control'], 'no-store');
    const bearer = `Bearer ${token.body.access_token as string}`;

    // The token acts as the user (operator), not as the client (viewer): it may create.
    const who = await request(app).get(`${API}/session`).set('authorization', bearer).expect(200);
    assert.deepEqual({ kind: who.body.principal.kind, name: who.body.principal.name, role: who.body.principal.role }, { kind: 'user', name: 'ansible', role: 'operator' });
    const va = await request(app).post(`${API}/accounts/Acme/virtual-accounts`).set('authorization', bearer).type('form').send({ name: 'Branch', description: 'made by ansible' });
    assert.equal(va.status, 200, va.text);
    assert.equal(va.body.virtualAccount.name, 'Branch');
    const created = await request(app).post(`${API}/accounts/Acme/virtual-accounts/Branch/tokens`).set('authorization', bearer).type('form')
      .send({ description: 'ansible', expiresAfterDays: '30', exportControlled: 'Allowed', maxUses: '10' });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.tokenInfo.maxUses, 10);
  });

  it('centreon-plugins SSM On-Prem check: client-credentials token, then POST .../licenses {limit:-1} and alerts', async () => {
    const token = await request(app).post('/backend/oauth/token').type('form')
      .send({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret });
    assert.equal(token.status, 200, token.text);
    const bearer = `Bearer ${token.body.access_token as string}`;
    const licenses = await request(app).post(`${API}/accounts/Acme/licenses`).set('authorization', bearer).send({ limit: -1 });
    assert.equal(licenses.status, 200, licenses.text);
    assert.deepEqual(licenses.body.licenses.map((l: { tag: string; quantity: number }) => [l.tag, l.quantity]), [[TAG, 10]]);
    const alerts = await request(app).post(`${API}/accounts/Acme/alerts`).set('authorization', bearer).type('form').send({ limit: '-1' });
    assert.equal(alerts.status, 200, alerts.text);
    assert.ok(Array.isArray(alerts.body.alerts));
  });

  it('a curl-style client: credentials in the query, no body, then GET with the bearer', async () => {
    const query = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret });
    const token = await request(app).post(`/oauth/token?${query.toString()}`);
    assert.equal(token.status, 200, token.text);
    const bearer = `Bearer ${token.body.access_token as string}`;
    await request(app).get(`/api/v1/accounts/Acme/licenses?limit=-1`).set('authorization', bearer).expect(200);
  });

  it('an invalid or expired bearer gets 401 with WWW-Authenticate: Bearer', async () => {
    const bad = await request(app).get(`${API}/accounts/Acme/licenses`).set('authorization', 'Bearer not-a-token');
    assert.equal(bad.status, 401);
    assert.match(String(bad.headers['www-authenticate']), /^Bearer realm="License Satellite", error="invalid_token"$/);
    const token = await request(app).post('/backend/oauth/token').send({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret });
    const bearer = `Bearer ${token.body.access_token as string}`;
    clock.advance(MS_PER_HOUR);
    const expired = await request(app).get(`${API}/accounts/Acme/licenses`).set('authorization', bearer);
    assert.equal(expired.status, 401);
    assert.match(String(expired.headers['www-authenticate']), /^Bearer /);
    assert.equal((await request(app).get(`${API}/accounts/Acme/licenses`).set('authorization', 'Bearer')).status, 401);
  });

  it('token endpoint errors use RFC 6749 bodies', async () => {
    const cases: Array<{ send: Record<string, string>; status: number; error: string }> = [
      { send: { grant_type: 'client_credentials', client_id: client.id, client_secret: 'wrong' }, status: 401, error: 'invalid_client' },
      { send: { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }, status: 401, error: 'invalid_client' },
      { send: { grant_type: 'authorization_code', client_id: client.id, client_secret: client.secret }, status: 400, error: 'unsupported_grant_type' },
      { send: { client_id: client.id, client_secret: client.secret }, status: 400, error: 'invalid_request' },
      { send: { grant_type: 'client_credentials', client_secret: client.secret }, status: 400, error: 'invalid_request' },
      { send: { grant_type: 'password', client_id: client.id, client_secret: client.secret, username: 'ansible' }, status: 400, error: 'invalid_request' },
      { send: { grant_type: 'password', client_id: client.id, client_secret: client.secret, username: 'ansible', password: 'wrong-password' }, status: 400, error: 'invalid_grant' },
      { send: { grant_type: 'password', client_id: client.id, client_secret: client.secret, username: 'nobody', password: 'whatever-pw' }, status: 400, error: 'invalid_grant' },
      { send: { grant_type: 'password', client_id: client.id, client_secret: 'wrong', username: 'ansible', password: 'ansible-password' }, status: 401, error: 'invalid_client' },
    ];
    for (const { send, status, error } of cases) {
      for (const path of ['/backend/oauth/token', '/oauth/token']) {
        const res = await request(app).post(path).type('form').send(send);
        assert.equal(res.status, status, `${JSON.stringify(send)}: ${res.text}`);
        assert.deepEqual(Object.keys(res.body).sort(), ['error', 'error_description']);
        assert.equal(res.body.error, error, res.text);
        assert.equal(typeof res.body.error_description, 'string');
      }
    }
    const malformed = await request(app).post('/oauth/token').set('content-type', 'application/json').send('{"grant_type":');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error, 'invalid_request');
    const twice = await request(app).post(`/oauth/token?client_id=other`).type('form').send({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret });
    assert.equal(twice.body.error, 'invalid_request');
  });

  it('a password-grant token follows its user: it is no cookie, and disabling the user ends it at once', async () => {
    await app.seed.user('paula', 'paula-password', 'viewer', ['Acme']);
    const token = await request(app).post('/oauth/token').type('form')
      .send({ grant_type: 'password', client_id: client.id, client_secret: client.secret, username: 'paula', password: 'paula-password' });
    assert.equal(token.status, 200, token.text);
    const bearer = `Bearer ${token.body.access_token as string}`;
    await request(app).get(`${API}/accounts/Acme/licenses`).set('authorization', bearer).expect(200);
    // The user's scope, not the client's (which sees every account), decides.
    app.seed.account('Globex');
    await request(app).get(`${API}/accounts/Globex/licenses`).set('authorization', bearer).expect(403);
    await request(app).get(`${API}/session`).set('cookie', `satellite_session=${token.body.access_token as string}`).expect(401);
    app.satellite.users.update('paula', { disabled: true }, 'cli');
    await request(app).get(`${API}/accounts/Acme/licenses`).set('authorization', bearer).expect(401);
  });

  it('the password grant follows the user lockout: 5 wrong passwords lock, then even the right one is refused', async () => {
    await app.seed.user('lockme', 'lockme-password', 'viewer');
    const grant = (password: string) => request(app).post('/oauth/token').type('form')
      .send({ grant_type: 'password', client_id: client.id, client_secret: client.secret, username: 'lockme', password });
    for (let i = 0; i < 5; i += 1) assert.equal((await grant('wrong-password')).body.error, 'invalid_grant');
    const locked = await grant('lockme-password');
    assert.equal(locked.status, 400);
    assert.equal(locked.body.error, 'invalid_grant');
    assert.match(locked.body.error_description, /locked/);
    assert.ok(Number(locked.headers['retry-after']) > 0);
    const events = app.satellite.uow.read((r) => r.events.list({ limit: 1000, offset: 0 }));
    assert.equal(events.filter((e) => e.type === 'USER_LOCKED_OUT').length, 1);
  });
});
