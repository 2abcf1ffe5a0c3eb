import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { bearerFor } from '../support/admin-auth.js';
import { assertFailed, registerRequest } from '../support/device-probe.js';
import { DEMO, DEMO_PATH, deviceFixture, inventorySatellite, PREFIXES, START, type InventoryFixture } from '../support/inventory-fixture.js';
import { post } from '../support/satellite-fixture.js';

const TOKENS = `${DEMO_PATH}/virtual-accounts/Default/tokens`;
const iso = (ms: number) => new Date(ms).toISOString();

interface TokenInfo { token: string; description: string; expirationDate: string; exportControlled: string; maxUses: number | null }

describe('API toolkit: registration tokens', () => {
  let f: InventoryFixture;
  beforeAll(async () => { f = await inventorySatellite(); });
  afterAll(() => f.app.close());

  async function create(body: Record<string, unknown>, auth = f.operator, path = `/backend/api/v1${TOKENS}`) {
    return request(f.app).post(path).set('authorization', auth).send(body);
  }

  for (const prefix of PREFIXES) {
    it(`creates a token from string numerics and answers tokenInfo field for field (200) under ${prefix}`, async () => {
      const res = await create({ description: 'rack 12', expiresAfterDays: '365', exportControlled: 'Not Allowed', maxUses: '5' }, f.operator, `${prefix}${TOKENS}`);
      assert.equal(res.status, 200, res.text);
      const info = res.body.tokenInfo as TokenInfo;
      assert.equal(typeof info.token, 'string');
      assert.ok(info.token.length >= 48);
      assert.deepEqual(res.body, {
        tokenInfo: { token: info.token, description: 'rack 12', expirationDate: iso(START + 365 * MS_PER_DAY), exportControlled: 'Not Allowed', maxUses: 5 },
      });
      assert.match(String(res.headers.location), new RegExp(`^${prefix}${TOKENS.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[0-9a-f-]{36}$`));
    });
  }

  it('defaults: 30 days, export-controlled allowed, unlimited uses, no description; numbers as numbers work too', async () => {
    const res = await create({});
    assert.deepEqual(res.body, {
      tokenInfo: { token: res.body.tokenInfo.token, description: '', expirationDate: iso(START + 30 * MS_PER_DAY), exportControlled: 'Allowed', maxUses: null },
    });
    const numeric = await create({ expiresAfterDays: 1, maxUses: null });
    assert.equal(numeric.body.tokenInfo.expirationDate, iso(START + MS_PER_DAY));
  });

  it('creates in a VA whose name has a space', async () => {
    const res = await create({ description: 'lab' }, f.operator, `/api/v1${DEMO_PATH}/virtual-accounts/Lab%20Two/tokens`);
    assert.equal(res.status, 200, res.text);
    const list = await request(f.app).get(`/api/v1${DEMO_PATH}/virtual-accounts/Lab%20Two/tokens`).set('authorization', f.viewer);
    assert.deepEqual(list.body.tokens.map((t: { description: string }) => t.description), ['lab']);
  });

  for (const [body, field] of [
    [{ expiresAfterDays: 0 }, 'expiresAfterDays'], [{ expiresAfterDays: 400 }, 'expiresAfterDays'], [{ expiresAfterDays: '366' }, 'expiresAfterDays'],
    [{ expiresAfterDays: 'soon' }, 'expiresAfterDays'], [{ exportControlled: 'maybe' }, 'exportControlled'], [{ maxUses: 0 }, 'maxUses'],
    [{ maxUses: '-3' }, 'maxUses'], [{ description: 'x'.repeat(501) }, 'description'],
  ] as const) {
    it(`refuses ${JSON.stringify(body).slice(0, 60)} with 400 naming body.${field}`, async () => {
      const res = await create(body);
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.error.message, new RegExp(`^body\\.${field}:`));
      assert.equal(res.body.error.details.field, `body.${field}`);
    });
  }

  it('lists tokens without secrets: id, created, expiry, export control, uses, status', async () => {
    const created = await create({ description: 'listed', expiresAfterDays: 10, maxUses: 2 }, f.operator, `/api/v1${DEMO_PATH}/virtual-accounts/Lab%20Two/tokens`);
    const res = await request(f.app).get(`/api/v1${DEMO_PATH}/virtual-accounts/Lab%20Two/tokens`).set('authorization', f.viewer);
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes(created.body.tokenInfo.token), 'the secret never appears in a list');
    const entry = res.body.tokens.find((t: { description: string }) => t.description === 'listed');
    assert.deepEqual(entry, {
      id: entry.id, description: 'listed', created: iso(START), expirationDate: iso(START + 10 * MS_PER_DAY),
      exportControlled: 'Allowed', maxUses: 2, uses: 0, status: 'ACTIVE',
    });
    assert.match(entry.id, /^[0-9a-f-]{36}$/);
  });

  it('revokes a token: the very next REGISTER with it fails TOKEN_REVOKED', async () => {
    const created = await create({ description: 'to revoke', maxUses: 10 });
    const secret = created.body.tokenInfo.token as string;
    const df = deviceFixture(f);
    const ok = await post(f.app, (await registerRequest(df, { token: secret })).text);
    assert.equal(ok.message?.status, 'OK', ok.text);
    const id = String(created.headers.location).split('/').pop();
    const revoked = await request(f.app).delete(`/api/v1${TOKENS}/${id}`).set('authorization', f.operator);
    assert.equal(revoked.status, 200, revoked.text);
    assert.deepEqual(revoked.body, {
      token: {
        id, description: 'to revoke', created: iso(START), expirationDate: iso(START + 30 * MS_PER_DAY), exportControlled: 'Allowed',
        maxUses: 10, uses: 1, status: 'REVOKED',
      },
    });
    assertFailed(await post(f.app, (await registerRequest(df, { token: secret })).text), 'TOKEN_REVOKED');
    const again = await request(f.app).delete(`/backend/api/v1${TOKENS}/${id}`).set('authorization', f.operator);
    assert.equal(again.status, 200, 'revoking twice is not an error');
    const events = f.app.satellite.uow.read((r) => r.events.list({ type: 'TOKEN_REVOKED', limit: 10, offset: 0 }));
    assert.equal(events.filter((e) => e.details.tokenId === id).length, 1);
  });

  it('does not reach a token through another VA\'s path (404), nor an unknown one', async () => {
    const id = f.token.token.id;
    const wrong = await request(f.app).delete(`/api/v1${DEMO_PATH}/virtual-accounts/Lab%20Two/tokens/${id}`).set('authorization', f.operator);
    assert.equal(wrong.status, 404);
    const unknown = await request(f.app).delete(`/api/v1${TOKENS}/nope`).set('authorization', f.operator);
    assert.equal(unknown.status, 404);
    assert.equal(f.app.satellite.uow.read((r) => r.tokens.findById(id))?.revokedAt, null);
  });

  it('shows EXPIRED and EXHAUSTED', async () => {
    const exhausted = f.app.seed.token(DEMO, 'Default', { description: 'once', maxUses: 1 });
    const ok = await post(f.app, (await registerRequest(deviceFixture(f, exhausted))).text);
    assert.equal(ok.message?.status, 'OK', ok.text);
    f.app.seed.token(DEMO, 'Default', { description: 'short', expiresAfterDays: 1 });
    f.clock.advance(MS_PER_DAY);
    try {
      // Access tokens are short-lived, so a day later the viewer signs in again.
      const viewer = await bearerFor(f.app, { role: 'viewer' });
      const res = await request(f.app).get(`/api/v1${TOKENS}`).set('authorization', viewer);
      const status = (d: string) => res.body.tokens.find((t: { description: string }) => t.description === d)?.status;
      assert.deepEqual([status('once'), status('short')], ['EXHAUSTED', 'EXPIRED']);
    } finally {
      f.clock.set(START);
    }
  });

  it('needs operator to create or revoke, viewer to list; 403 without credentials and across account scopes', async () => {
    assert.equal((await create({}, f.viewer)).status, 403);
    assert.equal((await request(f.app).delete(`/api/v1${TOKENS}/${f.token.token.id}`).set('authorization', f.viewer)).status, 403);
    assert.equal((await request(f.app).get(`/api/v1${TOKENS}`).set('authorization', f.viewer)).status, 200);
    assert.equal((await request(f.app).get(`/api/v1${TOKENS}`)).status, 403);
    assert.equal((await request(f.app).post(`/api/v1${TOKENS}`).send({})).status, 403);
    const scoped = await create({}, f.otherOperator);
    assert.equal(scoped.status, 403);
    assert.equal(scoped.body.error.code, 'FORBIDDEN');
    assert.equal((await request(f.app).get(`/api/v1${TOKENS}`).set('authorization', f.otherOperator)).status, 403);
    const own = await create({}, f.otherOperator, '/api/v1/accounts/Other%20Account/virtual-accounts/Main/tokens');
    assert.equal(own.status, 200);
  });
});
