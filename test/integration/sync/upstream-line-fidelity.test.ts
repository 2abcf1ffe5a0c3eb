import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MS_PER_DAY } from '../../../licensing/shared/clock.js';
import { openUpstreamExchange, type OrderJson, type UpstreamExchange } from '../../support/upstream-exchange-kit.js';

const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';
const BASIC = 'regid.2016-07.com.cisco.UCM_Basic,12.0_2a5e9b6c-1f0d-4b8e-9c3a-7d6e5f4a3b21';

/** Two VAs of the bound account hold the same tag with their own text; a third line of it is a trial that will end. */
const ORDERS: OrderJson[] = [
  {
    order_line_id: 'ORD-1', smart_account: 'Acme Corp', virtual_account: 'Default', tag: UCM, display_name: 'UCM Enhanced',
    description: 'Unified CM Enhanced user license', quantity: 100, license_type: 'PERPETUAL', start_date: '2026-01-01',
  },
  {
    order_line_id: 'ORD-2', smart_account: 'Acme Corp', virtual_account: 'Lab', tag: UCM, display_name: 'UCM Enhanced (lab)',
    description: 'Lab seats', quantity: 10, license_type: 'PERPETUAL', start_date: '2026-01-15', substitution_ladder: [BASIC],
  },
  {
    order_line_id: 'ORD-3', smart_account: 'Acme Corp', virtual_account: 'Lab', tag: UCM, display_name: 'UCM Enhanced trial',
    description: 'Trial seats', quantity: 5, license_type: 'TERM', start_date: '2026-01-01', end_date: '2027-01-01',
  },
  {
    order_line_id: 'ORD-9', smart_account: 'Globex', virtual_account: 'Voice', tag: UCM, display_name: 'Globex UCM',
    description: 'not this satellite\'s', quantity: 40, license_type: 'PERPETUAL', start_date: '2026-02-01',
  },
];

interface LineText { id: string; name: string; description: string; ladder: string; endsAt: number | null }

/**
 * Line text and counts after real exchanges with the reference upstream (DESIGN §5.2 amended): every upstream line
 * keeps its own order line's text and ladder as the upstream's SQLite holds them, local lines (in another VA of the
 * bound account, and in an unbound account) are never touched, and a sync with unchanged orders reports nothing.
 */
describe('sync fidelity: lines keep their own order-line text', () => {
  let x: UpstreamExchange;
  beforeAll(async () => {
    x = await openUpstreamExchange(ORDERS, ['Acme Corp']);
    x.app.seed.virtualAccount('Acme Corp', 'Branch');
    x.app.seed.licenseLine('Acme Corp', 'Branch', { tag: UCM, displayName: 'Local UCM seats', description: 'bought locally', quantity: 3 });
    x.app.seed.account('Other Tenant');
    x.app.seed.virtualAccount('Other Tenant', 'Main');
    x.app.seed.licenseLine('Other Tenant', 'Main', { tag: UCM, displayName: 'Tenant UCM', description: 'theirs', quantity: 4, substitutionLadder: ['regid.x'] });
  });
  afterAll(() => x.close());

  /** The upstream's own rows, read from its SQLite file, for the lines the satellite is bound to. */
  const upstreamRows = (): LineText[] => x.upstreamDb.prepare<[], { order_line_id: string; display_name: string; description: string;
    substitution_ladder: string; ends_at: number | null; ended_at: number | null }>(
    `SELECT l.order_line_id, l.display_name, l.description, l.substitution_ladder, l.ends_at, l.ended_at FROM order_lines l
     JOIN upstream_virtual_accounts v ON v.id = l.va_id JOIN upstream_accounts a ON a.id = v.account_id WHERE a.name = 'Acme Corp'
     ORDER BY l.order_line_id`,
  ).all().map((r) => ({
    id: r.order_line_id, name: r.display_name, description: r.description, ladder: r.substitution_ladder,
    endsAt: r.ends_at === null ? r.ended_at : r.ended_at === null ? r.ends_at : Math.min(r.ends_at, r.ended_at),
  }));
  const satelliteRows = (where: string): LineText[] => x.app.satellite.db.prepare<[], { id: string; display_name: string; description: string;
    substitution_ladder: string; ends_at: number | null }>(
    `SELECT COALESCE(upstream_line_id, display_name) AS id, display_name, description, substitution_ladder, ends_at FROM license_lines
     WHERE ${where} ORDER BY id`,
  ).all().map((r) => ({ id: r.id, name: r.display_name, description: r.description, ladder: r.substitution_ladder, endsAt: r.ends_at }));
  const LOCAL = [
    { id: 'Local UCM seats', name: 'Local UCM seats', description: 'bought locally', ladder: '[]', endsAt: null },
    { id: 'Tenant UCM', name: 'Tenant UCM', description: 'theirs', ladder: '["regid.x"]', endsAt: null },
  ];
  const counts = (result: Awaited<ReturnType<UpstreamExchange['sync']>>['result']) => {
    assert.equal(result.status, 'IMPORTED');
    return result.status === 'IMPORTED' ? [result.summary.linesAdded, result.summary.linesUpdated, result.summary.linesEnded] : [];
  };

  it('the first sync adds the three bound lines with the text and ladder of their own order lines', async () => {
    assert.deepEqual(counts((await x.sync()).result), [3, 0, 0]);
    assert.deepEqual(satelliteRows("origin = 'upstream'"), upstreamRows());
    assert.deepEqual(satelliteRows("origin = 'local'"), LOCAL, 'local lines keep their own text and ladder');
  });

  it('a sync with unchanged orders reports 0 added, 0 updated, 0 ended and changes no text', async () => {
    x.clock.advance(60_000);
    assert.deepEqual(counts((await x.sync()).result), [0, 0, 0]);
    assert.deepEqual(satelliteRows("origin = 'upstream'"), upstreamRows());
    assert.deepEqual(satelliteRows("origin = 'local'"), LOCAL);
  });

  it('a line the orders file drops is counted as ended (not updated), and the ended line names nothing else', async () => {
    x.clock.advance(MS_PER_DAY);
    const loaded = await x.loadOrders(ORDERS.filter((o) => o.order_line_id !== 'ORD-3'));
    assert.equal(loaded.ended, 1);
    x.clock.advance(60_000);
    assert.deepEqual(counts((await x.sync()).result), [0, 0, 1]);
    const rows = upstreamRows();
    assert.ok(rows.find((r) => r.id === 'ORD-3')?.endsAt !== null, 'the upstream ended ORD-3');
    assert.deepEqual(satelliteRows("origin = 'upstream'"), rows);
    assert.deepEqual(satelliteRows("origin = 'local'"), LOCAL);
  });

  it('the next unchanged sync reports nothing again; a changed quantity is one update', async () => {
    x.clock.advance(60_000);
    assert.deepEqual(counts((await x.sync()).result), [0, 0, 0]);
    await x.loadOrders(ORDERS.filter((o) => o.order_line_id !== 'ORD-3').map((o) => (o.order_line_id === 'ORD-1' ? { ...o, quantity: 120 } : o)));
    x.clock.advance(60_000);
    assert.deepEqual(counts((await x.sync()).result), [0, 1, 0]);
    assert.deepEqual(satelliteRows("origin = 'upstream'"), upstreamRows());
    assert.deepEqual(satelliteRows("origin = 'local'"), LOCAL);
  });
});
