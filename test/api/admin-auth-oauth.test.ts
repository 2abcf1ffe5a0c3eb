import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { ManualClock, MS_PER_HOUR } from '../../licensing/shared/clock.js';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';
import { bearerFor } from '../support/admin-auth.js';

const TOKEN = '/backend/oauth/token';
const WHOAMI = '/backend/api/v1/session';

describe('OAuth2 client credentials: POST /backend/oauth/token', () => {
  let app: SatelliteApp;
  let clock: ManualClock;
  let clientId: string;
  let secret: string;

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    app = await createSatelliteApp({ clock });
    app.seed.account('Acme');
    const created = app.satellite.apiClients.create({ name: 'monitoring', role: 'viewer' }, 'seed');
    clientId = created.client.id;
    secret = created.clientSecret;
  });
  afterAll(() => app.close());

  const assertToken = (res: request.Response) => {
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.token_type, 'bearer');
    assert.equal(res.body.expires_in, 3600);
    assert.match(res.body.access_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(res.headers['cache-control'], 'no-store');
    return `Bearer ${res.body.access_token as string}`;
  };

  it('issues a bearer token for a JSON body, and the token authenticates admin calls', async () => {
    const bearer = assertToken(await request(app).post(TOKEN).send({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }));
    const who = await request(app).get(WHOAMI).set('authorization', bearer).expect(200);
    assert.equal(who.body.via, 'bearer');
    assert.deepEqual(who.body.principal, { kind: 'api-client', id: clientId, name: 'monitoring', role: 'viewer' });
    assert.equal(who.body.csrfToken, null);
  });

  it('accepts an application/x-www-form-urlencoded body', async () => {
    assertToken(await request(app).post(TOKEN).type('form').send({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }));
  });

  it('accepts HTTP Basic client authentication (RFC 6749 §2.3.1)', async () => {
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
    assertToken(await request(app).post(TOKEN).type('form').set('authorization', `Basic ${basic}`).send({ grant_type: 'client_credentials' }));
    const wrong = Buffer.from(`${clientId}:not-the-secret`).toString('base64');
    const res = await request(app).post(TOKEN).type('form').set('authorization', `Basic ${wrong}`).send({ grant_type: 'client_credentials' }).expect(401);
    assert.match(String(res.headers['www-authenticate']), /^Basic realm=/);
  });

  it('refuses a bad secret or an unknown client with 401 invalid_client (RFC 6749 §5.2)', async () => {
    for (const body of [
      { grant_type: 'client_credentials', client_id: clientId, client_secret: `${secret}x` },
      { grant_type: 'client_credentials', client_id: 'nobody', client_secret: secret },
    ]) {
      const res = await request(app).post(TOKEN).send(body).expect(401);
      assert.equal(res.body.error, 'invalid_client');
      assert.equal(typeof res.body.error_description, 'string');
      assert.equal(res.body.access_token, undefined);
    }
  });

  it('answers 400 naming the parameter for a wrong grant_type or missing credentials', async () => {
    const wrong = await request(app).post(TOKEN).send({ grant_type: 'authorization_code', client_id: clientId, client_secret: secret }).expect(400);
    assert.equal(wrong.body.error, 'unsupported_grant_type');
    assert.match(wrong.body.error_description, /grant_type/);
    const missing = await request(app).post(TOKEN).send({ grant_type: 'client_credentials', client_secret: secret }).expect(400);
    assert.equal(missing.body.error, 'invalid_request');
    assert.match(missing.body.error_description, /client_id/);
    const plain = await request(app).post(TOKEN).type('text/plain').send('grant_type=client_credentials').expect(415);
    assert.equal(plain.body.error, 'invalid_request');
  });

  it('expires bearer tokens after expires_in (moving the ManualClock)', async () => {
    const bearer = await bearerFor(app, { role: 'viewer' });
    clock.advance(MS_PER_HOUR - 1);
    await request(app).get(WHOAMI).set('authorization', bearer).expect(200);
    clock.advance(1);
    const res = await request(app).get(WHOAMI).set('authorization', bearer).expect(401);
    assert.match(res.body.error.message, /expired/);
  });

  it('stops accepting a revoked client and its tokens at once', async () => {
    const { client, clientSecret } = app.satellite.apiClients.create({ name: 'short-lived', role: 'admin' }, 'seed');
    const res = await request(app).post(TOKEN).send({ grant_type: 'client_credentials', client_id: client.id, client_secret: clientSecret }).expect(200);
    const bearer = `Bearer ${res.body.access_token as string}`;
    await request(app).get(WHOAMI).set('authorization', bearer).expect(200);
    app.satellite.apiClients.revoke(client.id, 'seed');
    await request(app).get(WHOAMI).set('authorization', bearer).expect(401);
    await request(app).post(TOKEN).send({ grant_type: 'client_credentials', client_id: client.id, client_secret: clientSecret }).expect(401);
  });

  // DESIGN §6 (amended): no credentials, or credentials that are not a bearer token or session, are a 403.
  it('answers 403 without credentials or with HTTP Basic, 401 for a malformed or unknown bearer token', async () => {
    const none = await request(app).get('/backend/api/v1/users').expect(403);
    assert.equal(none.body.error.code, 'FORBIDDEN');
    assert.equal(none.body.error.details.reason, 'CREDENTIALS_REQUIRED');
    await request(app).get('/api/v1/users').expect(403);
    await request(app).get('/backend/api/v1/users').set('authorization', 'Basic Zm9vOmJhcg==').expect(403);
    const malformed = await request(app).get('/backend/api/v1/users').set('authorization', 'Bearer').expect(401);
    assert.equal(malformed.body.error.code, 'UNAUTHENTICATED');
    const unknown = await request(app).get('/backend/api/v1/users').set('authorization', 'Bearer not-a-token').expect(401);
    assert.match(String(unknown.headers['www-authenticate']), /^Bearer /);
  });

  it('applies the role of the client row on every request', async () => {
    const viewer = await bearerFor(app, { role: 'viewer' });
    const admin = await bearerFor(app, { role: 'admin' });
    await request(app).get('/backend/api/v1/users').set('authorization', viewer).expect(403);
    await request(app).get('/backend/api/v1/users').set('authorization', admin).expect(200);
  });

  it('writes events for issued tokens and failed client authentication, never the secret', () => {
    const events = app.satellite.uow.read((r) => r.events.list({ limit: 1000, offset: 0 }));
    assert.ok(events.some((e) => e.type === 'API_CLIENT_TOKEN_ISSUED' && e.details.clientId === clientId));
    const failed = events.filter((e) => e.type === 'API_CLIENT_AUTH_FAILED');
    assert.deepEqual(new Set(failed.map((e) => e.details.reason)), new Set(['wrong secret', 'unknown client', 'client revoked']));
    assert.ok(!JSON.stringify(events).includes(secret));
  });
});

describe('sign-in and token rate limit per address', () => {
  it('answers 429 once the per-minute limit is used up', async () => {
    const app = await createSatelliteApp({ http: { authRateLimitPerMinute: 2 } });
    try {
      const body = { grant_type: 'client_credentials', client_id: 'x', client_secret: 'y' };
      await request(app).post(TOKEN).send(body).expect(401);
      await request(app).post('/backend/api/v1/session').send({ username: 'a', password: 'b' }).expect(401);
      const limited = await request(app).post(TOKEN).send(body).expect(429);
      assert.equal(limited.body.error, 'slow_down');
      assert.ok(limited.headers.ratelimit);
      await request(app).post('/api/v1/session').send({ username: 'a', password: 'b' }).expect(429);
    } finally {
      app.close();
    }
  });
});
