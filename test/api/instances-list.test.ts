import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { bearerFor } from '../support/admin-auth.js';
import { assertError, authorize, getAs, registerNamed } from '../support/instance-fixture.js';
import { labSatellite, post, signedRequest, TAG_A, TAG_B, type Device, type Fixture } from '../support/satellite-fixture.js';

const LIST = '/accounts/Acme/product-instances';
const FLEET = 55;

interface Row { id: string; hostname: string | null; lastContactAt: string; virtualAccount: string; registrationState: string; authorizationState: string }

describe('GET /accounts/{a}/product-instances: list, filter, search, sort, page', () => {
  let f: Fixture;
  let viewer: string;
  let fleet: Device[];
  let registeredAt: number;
  beforeAll(async () => {
    f = await labSatellite();
    f.app.seed.licenseLine('Acme', 'Lab', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 1000 });
    registeredAt = f.clock.now();
    fleet = [];
    for (let i = 0; i < FLEET; i += 1) {
      f.clock.advance(1000);
      fleet.push(await registerNamed(f, { hostname: `Core-Switch-${String(i).padStart(2, '0')}` }));
    }
    viewer = await bearerFor(f.app, { role: 'viewer' });
  });
  afterAll(() => f.app.close());

  const list = async (query: string): Promise<{ rows: Row[]; total: number; limit: number; offset: number }> => {
    const res = await getAs(f, `${LIST}${query}`, viewer);
    assert.equal(res.status, 200, res.text);
    return { rows: res.body.productInstances as Row[], total: res.body.total as number, limit: res.body.limit as number, offset: res.body.offset as number };
  };

  it('answers 50 rows by default with the total, newest contact first', async () => {
    const page = await list('');
    assert.equal(page.total, FLEET);
    assert.equal(page.limit, 50);
    assert.equal(page.offset, 0);
    assert.equal(page.rows.length, 50);
    assert.equal(page.rows[0]?.id, fleet[FLEET - 1]?.instanceId);
    const times = page.rows.map((r) => Date.parse(r.lastContactAt));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
  });

  it('pages with limit and offset, and sorts oldest first on request', async () => {
    const second = await list('?limit=20&offset=40');
    assert.equal(second.rows.length, 15);
    assert.equal(second.total, FLEET);
    const oldest = await list('?sort=lastContact&limit=3');
    assert.deepEqual(oldest.rows.map((r) => r.id), fleet.slice(0, 3).map((d) => d.instanceId));
    assert.equal((await list('?limit=1000')).rows.length, FLEET);
  });

  it('refuses limits outside 1-1000, a negative offset and unknown parameters with 400 naming the field', async () => {
    assertError(await getAs(f, `${LIST}?limit=1001`, viewer), 400, 'VALIDATION_FAILED', /query\.limit/);
    assertError(await getAs(f, `${LIST}?limit=0`, viewer), 400, 'VALIDATION_FAILED', /query\.limit/);
    assertError(await getAs(f, `${LIST}?limit=ten`, viewer), 400, 'VALIDATION_FAILED', /query\.limit/);
    assertError(await getAs(f, `${LIST}?offset=-1`, viewer), 400, 'VALIDATION_FAILED', /query\.offset/);
    assertError(await getAs(f, `${LIST}?hostnam=x`, viewer), 400, 'VALIDATION_FAILED', /hostnam/);
    assertError(await getAs(f, `${LIST}?sort=name`, viewer), 400, 'VALIDATION_FAILED', /query\.sort/);
    assertError(await getAs(f, `${LIST}?lastContactBefore=yesterday`, viewer), 400, 'VALIDATION_FAILED', /query\.lastContactBefore/);
    assertError(await getAs(f, `${LIST}?authorizationState=GOOD`, viewer), 400, 'VALIDATION_FAILED', /query\.authorizationState/);
  });

  it('searches hostname, serial number and id case-insensitively, treating % and _ literally', async () => {
    const one = fleet[7];
    assert.ok(one);
    assert.deepEqual((await list('?search=core-switch-07')).rows.map((r) => r.id), [one.instanceId]);
    assert.deepEqual((await list(`?search=${one.udi.udi_serial_number.slice(2).toLowerCase()}`)).rows.map((r) => r.id), [one.instanceId]);
    assert.deepEqual((await list(`?search=${one.instanceId.slice(0, 13)}`)).rows.map((r) => r.id), [one.instanceId]);
    assert.equal((await list('?search=Switch-0')).total, 10);
    assert.equal((await list('?search=%25')).total, 0);
    assert.equal((await list('?search=Core_Switch')).total, 0);
  });

  it('filters by UDI PID and serial number (exact) and by product type', async () => {
    const one = fleet[3];
    assert.ok(one);
    assert.equal((await list('?pid=c9300-24ux')).total, FLEET);
    assert.equal((await list('?pid=C9300')).total, 0);
    assert.deepEqual((await list(`?serialNumber=${one.udi.udi_serial_number}`)).rows.map((r) => r.id), [one.instanceId]);
    assert.equal((await list('?productType=c9300')).total, FLEET);
    assert.equal((await list('?productType=ISR4K')).total, 0);
  });

  it('filters by last contact before and after (epoch ms or ISO 8601)', async () => {
    const cut = registeredAt + 10_500;
    assert.equal((await list(`?lastContactBefore=${cut}`)).total, 10);
    assert.equal((await list(`?lastContactAfter=${new Date(cut).toISOString()}`)).total, FLEET - 10);
    assert.equal((await list(`?lastContactAfter=${cut}&lastContactBefore=${cut + 5000}`)).total, 5);
  });

  it('filters by license tag and by authorization and registration state', async () => {
    const [a, b, c] = fleet;
    assert.ok(a && b && c);
    await authorize(f, a, [{ tag: TAG_B, count: 1 }]);
    await authorize(f, b, [{ tag: TAG_A, count: 2 }]);
    await authorize(f, c, []);
    assert.deepEqual((await list(`?licenseTag=${encodeURIComponent(TAG_B)}`)).rows.map((r) => r.id), [a.instanceId]);
    assert.equal((await list('?authorizationState=AUTHORIZED')).total, 2);
    assert.deepEqual((await list('?authorizationState=NO_LICENSES_IN_USE')).rows.map((r) => r.id), [c.instanceId]);
    assert.equal((await list('?authorizationState=NOT_AUTHORIZED')).total, FLEET - 3);
    const res = await post(f.app, signedRequest(f, c, 'DEREGISTER', {}));
    assert.equal(res.message?.status, 'OK');
    assert.equal((await list('')).total, FLEET - 1, 'REGISTERED is the default');
    const gone = await list('?registrationState=UNREGISTERED');
    assert.deepEqual(gone.rows.map((r) => [r.id, r.registrationState]), [[c.instanceId, 'UNREGISTERED']]);
    assert.equal((await list('?registrationState=ANY')).total, FLEET);
  });

  it('filters by virtual account, and answers 404 for an unknown one', async () => {
    f.app.seed.virtualAccount('Acme', 'Prod');
    f.app.seed.licenseLine('Acme', 'Prod', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 5 });
    const prod = f.app.seed.token('Acme', 'Prod');
    const inProd = await registerNamed(f, { hostname: 'prod-1', token: prod.secret });
    const rows = (await list('?virtualAccount=Prod')).rows;
    assert.deepEqual(rows.map((r) => [r.id, r.virtualAccount]), [[inProd.instanceId, 'Prod']]);
    assert.equal((await list('?virtualAccount=Lab')).total, FLEET - 1);
    assertError(await getAs(f, `${LIST}?virtualAccount=Nope`, viewer), 404, 'NOT_FOUND', /Acme\/Nope/);
  });

  it('needs credentials, and keeps a scoped principal to its accounts', async () => {
    f.app.seed.account('Other');
    assertError(await getAs(f, LIST, null), 403, 'FORBIDDEN');
    const scoped = await bearerFor(f.app, { role: 'admin', accountScope: ['Other'] });
    assertError(await getAs(f, LIST, scoped), 403, 'FORBIDDEN', /Acme/);
    assertError(await getAs(f, '/accounts/Nobody/product-instances', scoped), 403, 'FORBIDDEN');
    assert.equal((await getAs(f, '/accounts/Other/product-instances', scoped)).body.total, 0);
    assertError(await getAs(f, '/accounts/Nobody/product-instances', viewer), 404, 'NOT_FOUND');
  });

  it('serves the same tree under /api/v1', async () => {
    const res = await getAs(f, LIST, viewer);
    const alt = await request(f.app).get(`/api/v1${LIST}?limit=1`).set('authorization', viewer);
    assert.equal(alt.status, 200, alt.text);
    assert.equal(alt.body.total, res.body.total);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await request(f.app).get('/backend/api/docs/openapi.json').expect(200);
    const paths = doc.body.paths as Record<string, Record<string, { 'x-minimum-role'?: string; parameters?: Array<{ name: string }> }>>;
    const base = '/backend/api/v1/accounts/{accountName}/product-instances';
    assert.equal(paths[base]?.get?.['x-minimum-role'], 'viewer');
    assert.ok(paths[base]?.get?.parameters?.some((p) => p.name === 'lastContactBefore'));
    assert.ok(paths[`${base}/export.csv`]?.get);
    assert.ok(paths[`${base}/{instanceId}`]?.get && paths[`${base}/{instanceId}`]?.delete);
    assert.equal(paths[`${base}/{instanceId}/transfer`]?.post?.['x-minimum-role'], 'operator');
    assert.ok(paths['/backend/api/v1/accounts/{accountName}/events']?.get);
    assert.ok(paths['/backend/api/v1/accounts/{accountName}/events/export.csv']?.get);
    assert.equal(paths['/backend/api/v1/events']?.get?.['x-minimum-role'], 'admin');
  });
});
