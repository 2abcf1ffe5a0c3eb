import assert from 'node:assert/strict';
import { afterAll, describe, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../db/sqlite-connection.js';
import { SqliteAlertCauseRepository } from '../../../db/repositories/sqlite-alert-cause-repository.js';
import { SqliteInstanceInventoryRepository } from '../../../db/repositories/sqlite-instance-inventory-repository.js';
import { SqliteProductInstanceRepository } from '../../../db/repositories/sqlite-product-instance-repository.js';
import { SqliteLicenseRepository } from '../../../db/repositories/sqlite-license-repository.js';
import type { InstanceFilter, InstanceKey, InstanceQuery, InstanceSort } from '../../../licensing/instances/instance-inventory-repository.js';

/**
 * Issue 13 item 5: every statement behind the paged instance views, the export windows, the detail and the
 * sweeps reads product_instances and id_certificates through an index. Plans are those SQLite makes without
 * ANALYZE statistics, as in production (nothing runs ANALYZE). Statements are captured as the repositories
 * prepare them, then explained with the parameters they ran with.
 */
interface Captured { sql: string; args: unknown[] }

function capturing(db: SqliteDatabase, into: Captured[]): SqliteDatabase {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver) as unknown;
      return (sql: string) => {
        const statement = target.prepare(sql);
        const record = (args: unknown[]): void => {
          into.push({ sql, args });
        };
        return new Proxy(statement, {
          get(s, name, r) {
            const value = Reflect.get(s, name, r) as unknown;
            if ((name === 'all' || name === 'get' || name === 'run') && typeof value === 'function') {
              return (...args: unknown[]) => {
                record(args);
                return (value as (...a: unknown[]) => unknown).apply(s, args);
              };
            }
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(s) : value;
          },
        });
      };
    },
  });
}

const db = openDatabase({ filename: ':memory:' });
afterAll(() => db.close());
db.exec(`INSERT INTO accounts (id, name, created_at) VALUES ('a1', 'Acme', 0);
  INSERT INTO virtual_accounts (id, account_id, name, description, origin, created_at) VALUES ('va1', 'a1', 'Lab', '', 'local', 0);`);

function planOf(c: Captured): string[] {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...c.args) as Array<{ detail: string }>;
  return rows.map((r) => r.detail);
}

/** A full pass over the rows of these tables, not in an index's order. */
const FULL_SCAN = /^SCAN (pi|product_instances|c|id_certificates)( |$)(?!USING)/;

function assertIndexed(captured: Captured[], { sorted }: { sorted: boolean }): void {
  assert.ok(captured.length > 0);
  for (const c of captured) {
    const plan = planOf(c);
    const where = `${c.sql}\n  plan: ${plan.join(' | ')}`;
    for (const line of plan) assert.doesNotMatch(line, FULL_SCAN, where);
    if (sorted && /ORDER BY/.test(c.sql)) assert.ok(!plan.some((l) => /TEMP B-TREE FOR ORDER BY/.test(l)), `sorted by the index: ${where}`);
    // A window checks each entry it walks; a list subquery would build the whole match set (e.g. every instance of a tag) first.
    if (sorted) assert.ok(!plan.some((l) => /LIST SUBQUERY|BLOOM FILTER/.test(l)), `checked row by row: ${where}`);
  }
}

const KEY: InstanceKey = { lastContactAt: 1_000, id: 'k' };
const FILTERS: Array<Partial<InstanceFilter>> = [
  {}, { registrationState: 'REGISTERED' }, { registrationState: 'UNREGISTERED' }, { authorizationState: 'OUT_OF_COMPLIANCE' },
  { lastContactBefore: 5, lastContactAfter: 1 }, { productType: 'C9300' }, { search: 'core', searchMatch: 'contains' },
  { search: 'FOC12', searchMatch: 'prefix' }, { serialNumber: 'FOC1' }, { pid: 'C9300-24UX' }, { licenseTag: 'tag' },
  { registrationState: 'REGISTERED', authorizationState: 'AUTHORIZED', search: 'a', searchMatch: 'prefix', licenseTag: 't' },
];
/** Windows walk one VA (the service merges an account's VAs); selective reads also run account-wide. */
const SCOPES: Array<Partial<InstanceFilter>> = [{ virtualAccountId: 'va1' }, { virtualAccountId: undefined }];
const SORTS: InstanceSort[] = ['-lastContact', 'lastContact'];

describe('query plans at scale (EXPLAIN QUERY PLAN)', () => {
  it('walks the VA sort index for every list, count and export window: each filter, sort, cursor', () => {
    const captured: Captured[] = [];
    const repo = new SqliteInstanceInventoryRepository(capturing(db, captured));
    for (const filter of FILTERS) for (const sort of SORTS) for (const after of [undefined, KEY]) {
      const q: InstanceQuery = { accountId: 'a1', virtualAccountId: 'va1', ...filter, sort, limit: 50, offset: 0, after };
      for (const end of [null, KEY]) {
        repo.listWindow(q, end);
        repo.exportWindow(q, end);
        repo.countWindow(q, sort, after, end, 100);
      }
      repo.windowEnd(q, sort, after, 2_000);
    }
    assertIndexed(captured, { sorted: true });
  });

  it('answers selective filters (search, serial, PID, product type, tag) through their own index', () => {
    const captured: Captured[] = [];
    const repo = new SqliteInstanceInventoryRepository(capturing(db, captured));
    const selective = FILTERS.filter((f) => f.serialNumber ?? f.pid ?? f.licenseTag ?? f.productType ?? f.search);
    assert.equal(selective.length, 7);
    for (const scope of SCOPES) for (const filter of selective) {
      for (const after of [undefined, KEY]) {
        const q: InstanceQuery = { accountId: 'a1', ...scope, ...filter, sort: '-lastContact', limit: 50, offset: 0, after };
        assert.notEqual(repo.selectiveMatches(q, 2_000), null);
        repo.listSelective(q);
        repo.exportSelective(q);
        repo.countSelective(q);
        // The capped count of a term that matches too many to fetch: streamed through the same index.
        if (filter.searchMatch !== 'prefix') assert.notEqual(repo.countThrough(q, 10_001), null);
      }
    }
    assertIndexed(captured, { sorted: false });
    const plans = captured.map((c) => planOf(c).join(' | '));
    const trigram = captured.filter((c) => c.sql.includes('@phrase')).map((c) => planOf(c).join(' | '));
    assert.ok(trigram.length > 0 && trigram.every((p) => /VIRTUAL TABLE INDEX/.test(p)), trigram.join('\n'));
    // product_kinds is a few dozen rows (one per tag and PID pair), so scanning it is the point: "SCAN k".
    assert.ok(plans.some((p) => /SEARCH pi USING (COVERING )?INDEX product_instances_by_pid/.test(p) && /SCAN k( |$)/.test(p)),
      'product type: PIDs from product_kinds, instances by PID');
    const prefix = captured.find((c) => c.sql.includes('@prefixEnd') && c.sql.includes('UNION ALL'));
    assert.ok(prefix);
    const plan = planOf(prefix).join(' | ');
    for (const index of ['product_instances_by_hostname', 'product_instances_by_serial', 'product_instances_by_pid']) assert.match(plan, new RegExp(index));
  });

  it('reads an instance, its entitlements and its alerts by key', () => {
    const captured: Captured[] = [];
    const proxied = capturing(db, captured);
    const instances = new SqliteProductInstanceRepository(proxied);
    instances.findById('x');
    instances.listEntitlements('x');
    new SqliteAlertCauseRepository(proxied).activeAlertsForTarget('x');
    assertIndexed(captured, { sorted: false });
    const alerts = captured.find((c) => c.sql.includes('target = ?') && c.sql.includes('ORDER BY raised_at DESC'));
    assert.ok(alerts);
    assert.match(planOf(alerts).join(' | '), /alerts_active_by_target/);
  });

  it('lists a license\'s largest consumers without joining and sorting every consumer (license detail)', () => {
    const captured: Captured[] = [];
    new SqliteLicenseRepository(capturing(db, captured)).listConsumers('va1', 'tag', 200);
    assertIndexed(captured.filter((c) => c.sql.includes('instance_entitlements')), { sorted: true });
    assert.match(planOf(captured.find((c) => c.sql.includes('instance_entitlements')) ?? { sql: '', args: [] }).join(' | '), /instance_entitlements_top_consumers/);
  });

  it('has the sweeps fetch only their candidates, through range indexes', () => {
    const captured: Captured[] = [];
    const causes = new SqliteAlertCauseRepository(capturing(db, captured));
    causes.instanceSpan();
    causes.renewalCandidates(1_000, { after: 0, upTo: 20_000 });
    causes.authorizationsLapsedBy(1_000, { after: 0, upTo: 20_000 });
    causes.registrationsLapsedBy(1_000);
    causes.instancesInStates(['OUT_OF_COMPLIANCE', 'AUTHORIZATION_EXPIRED', 'REGISTRATION_EXPIRED']);
    assertIndexed(captured, { sorted: false });
    const plans = captured.map((c) => planOf(c).join(' | ')).join('\n');
    for (const index of ['id_certificates_unrevoked_by_expiry', 'product_instances_alerting_states']) {
      assert.match(plans, new RegExp(`SEARCH \\w+ USING INDEX ${index}`));
    }
    // The span reads both ends of the table; MIN and MAX in one SELECT scanned a whole index instead (389 ms at 1M).
    const span = captured.find((c) => c.sql.includes('MIN(rowid)'));
    assert.ok(span);
    assert.doesNotMatch(planOf(span).join(' | '), /SCAN product_instances/);
    // Renewals and lapsed authorizations read rowid chunks (an index on their columns would cost every AUTHORIZE).
    assert.equal((plans.match(/SEARCH \w+ USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/g) ?? []).length, 2, plans);
  });
});
