import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { bearerFor } from '../support/admin-auth.js';
import { parseCsv } from '../support/csv-reader.js';
import { assertError, getAs, registerNamed } from '../support/instance-fixture.js';
import { labSatellite, type Fixture } from '../support/satellite-fixture.js';

const EVENTS = '/accounts/Acme/events';

interface EventRow { id: number; occurredAt: string; account: string | null; virtualAccount: string | null; type: string; actorType: string; message: string; details: Record<string, unknown> }

describe('GET /accounts/{a}/events and /events: the event log', () => {
  let f: Fixture;
  let viewer: string;
  let start: number;
  let registered: string[];
  beforeAll(async () => {
    f = await labSatellite();
    start = f.clock.now();
    f.app.seed.virtualAccount('Acme', 'Prod');
    const prodToken = f.app.seed.token('Acme', 'Prod');
    registered = [];
    for (let i = 0; i < 6; i += 1) {
      f.clock.advance(60_000);
      registered.push((await registerNamed(f, { hostname: `sw-${i}, "rack" ${i}\nrow`, token: i % 2 === 0 ? f.token.secret : prodToken.secret })).instanceId);
    }
    f.app.seed.account('Other');
    f.app.seed.virtualAccount('Other', 'Main');
    viewer = await bearerFor(f.app, { role: 'viewer' });
  });
  afterAll(() => f.app.close());

  const list = async (query: string, bearer = viewer, path = EVENTS) => {
    const res = await getAs(f, `${path}${query}`, bearer);
    assert.equal(res.status, 200, res.text);
    return { events: res.body.events as EventRow[], total: res.body.total as number, limit: res.body.limit as number };
  };

  it("lists the account's events newest first with the total, 50 per page by default", async () => {
    const page = await list('');
    // account, 2 VAs, 2 license lines, 2 tokens, 6 registrations
    assert.equal(page.total, 13);
    assert.equal(page.limit, 50);
    assert.equal(page.events[0]?.type, 'PRODUCT_INSTANCE_REGISTERED');
    assert.equal(page.events[0]?.details.productInstanceId, registered[5]);
    assert.equal(page.events[0]?.account, 'Acme');
    assert.equal(page.events[0]?.virtualAccount, 'Prod');
    assert.equal(page.events[0]?.actorType, 'device');
    assert.equal(page.events.at(-1)?.type, 'ACCOUNT_CREATED');
    assert.ok(page.events.every((e) => e.account === 'Acme'), 'other accounts stay out');
    const times = page.events.map((e) => Date.parse(e.occurredAt));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
  });

  it('pages with limit and offset', async () => {
    const all = await list('?limit=1000');
    const second = await list('?limit=5&offset=5');
    assert.equal(second.total, all.total);
    assert.deepEqual(second.events.map((e) => e.id), all.events.slice(5, 10).map((e) => e.id));
    assertError(await getAs(f, `${EVENTS}?limit=1001`, viewer), 400, 'VALIDATION_FAILED', /query\.limit/);
    assertError(await getAs(f, `${EVENTS}?offset=x`, viewer), 400, 'VALIDATION_FAILED', /query\.offset/);
  });

  it('filters by type, virtual account and time (from inclusive, to exclusive)', async () => {
    const registrations = await list('?type=PRODUCT_INSTANCE_REGISTERED');
    assert.equal(registrations.total, 6);
    const prod = await list('?type=PRODUCT_INSTANCE_REGISTERED&virtualAccount=Prod');
    assert.deepEqual(prod.events.map((e) => e.details.productInstanceId), [registered[5], registered[3], registered[1]]);
    const window = await list(`?from=${start + 120_000}&to=${new Date(start + 240_000).toISOString()}`);
    assert.deepEqual(window.events.map((e) => e.details.productInstanceId), [registered[2], registered[1]]);
    assert.equal((await list('?type=NOTHING_LIKE_THIS')).total, 0);
    assertError(await getAs(f, `${EVENTS}?type=bad type`, viewer), 400, 'VALIDATION_FAILED', /query\.type/);
    assertError(await getAs(f, `${EVENTS}?from=last-week`, viewer), 400, 'VALIDATION_FAILED', /query\.from/);
    assertError(await getAs(f, `${EVENTS}?virtualAccount=Nope`, viewer), 404, 'NOT_FOUND');
  });

  it('keeps scoped principals to their accounts and needs credentials', async () => {
    const scoped = await bearerFor(f.app, { role: 'admin', accountScope: ['Other'] });
    assertError(await getAs(f, EVENTS, scoped), 403, 'FORBIDDEN');
    const other = await list('', scoped, '/accounts/Other/events');
    assert.deepEqual(other.events.map((e) => e.type).sort(), ['ACCOUNT_CREATED', 'VIRTUAL_ACCOUNT_CREATED']);
    assertError(await getAs(f, EVENTS, null), 403, 'FORBIDDEN');
  });

  it('serves the satellite-wide log to admins without an account scope, events of no account included', async () => {
    const admin = await bearerFor(f.app, { role: 'admin' });
    const all = await list('?limit=1000', admin, '/events');
    const accounts = new Set(all.events.map((e) => e.account));
    assert.ok(accounts.has('Acme') && accounts.has('Other') && accounts.has(null), JSON.stringify([...accounts]));
    assert.ok(all.events.some((e) => e.type === 'API_CLIENT_CREATED'));
    const typed = await list('?type=ACCOUNT_CREATED', admin, '/events');
    assert.deepEqual(typed.events.map((e) => e.account).sort(), ['Acme', 'Other']);
    assertError(await getAs(f, '/events', viewer), 403, 'FORBIDDEN', /admin/);
    const scoped = await bearerFor(f.app, { role: 'admin', accountScope: ['Acme'] });
    assertError(await getAs(f, '/events', scoped), 403, 'FORBIDDEN', /limited to some accounts/);
    assertError(await getAs(f, '/events?virtualAccount=Lab', admin), 400, 'VALIDATION_FAILED', /virtualAccount/);
  });

  it('exports the filtered log as CSV that parses back', async () => {
    const res = await getAs(f, `${EVENTS}/export.csv?type=PRODUCT_INSTANCE_REGISTERED`, viewer);
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.equal(res.headers['x-total-count'], '6');
    const [header, ...rows] = parseCsv(res.text);
    assert.deepEqual(header, ['id', 'occurred_at', 'account', 'virtual_account', 'actor_type', 'actor_id', 'type', 'message', 'details']);
    assert.equal(rows.length, 6);
    const details = rows.map((r) => JSON.parse(r[8] ?? '{}') as Record<string, unknown>);
    assert.deepEqual(details.map((d) => d.productInstanceId), [...registered].reverse());
    assert.deepEqual(rows.map((r) => r[3]), ['Prod', 'Lab', 'Prod', 'Lab', 'Prod', 'Lab']);
    assert.ok(rows.every((r) => r[6] === 'PRODUCT_INSTANCE_REGISTERED' && r[2] === 'Acme'));
    assertError(await getAs(f, '/accounts/Other/events/export.csv', await bearerFor(f.app, { role: 'viewer', accountScope: ['Acme'] })), 403, 'FORBIDDEN');
  });
});
