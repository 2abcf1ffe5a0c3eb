import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { DEMO_PATH, inventorySatellite, type InventoryFixture } from '../support/inventory-fixture.js';

const API = '/backend/api/v1';

// A cache (a proxy's, the browser's back button) must never keep an answer that carries a secret.
describe('answers carrying a secret are never cached', () => {
  let f: InventoryFixture;
  beforeAll(async () => {
    f = await inventorySatellite();
    await f.app.seed.user('sam', 'sam-password', 'admin');
  });
  afterAll(() => f.app.close());

  const noStore = (res: request.Response, what: string) => {
    assert.ok(res.status < 300, `${what}: ${res.status} ${res.text}`);
    assert.equal(res.headers['cache-control'], 'no-store', what);
  };

  it('token create, API client create, user create, OAuth token and sign-in all say Cache-Control: no-store', async () => {
    for (const prefix of [API, '/api/v1']) {
      noStore(await request(f.app).post(`${prefix}${DEMO_PATH}/virtual-accounts/Default/tokens`).set('authorization', f.operator).send({ description: 'x' }), `${prefix} token create`);
    }
    const client = await request(f.app).post(`${API}/api-clients`).set('authorization', f.admin).send({ name: 'nagios', role: 'viewer' });
    noStore(client, 'API client create');
    noStore(await request(f.app).post(`${API}/users`).set('authorization', f.admin).send({ username: 'gen', role: 'viewer' }), 'user create');
    const credentials = { grant_type: 'client_credentials', client_id: client.body.clientId, client_secret: client.body.clientSecret };
    noStore(await request(f.app).post('/backend/oauth/token').send(credentials), 'OAuth token (JSON)');
    noStore(await request(f.app).post('/backend/oauth/token').type('form').send(credentials), 'OAuth token (form)');
    noStore(await request(f.app).post(`${API}/session`).send({ username: 'sam', password: 'sam-password' }), 'sign-in');
  });
});
