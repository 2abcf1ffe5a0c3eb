import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/sqlite-connection.js';
import { SqliteProductInstanceRepository } from '../../db/repositories/sqlite-product-instance-repository.js';

/**
 * What the inventory and sweep indexes cost AUTHORIZE (migration 0014 adds four index entries it rewrites):
 * applies AUTHORIZE's narrow instance UPDATE (ProductInstanceRepository.recordAuthorization) to random instances
 * in group-committed batches of 16, as the device path does, and prints CPU per request. Run it on a copy of a
 * seeded database (admin-scale-probe.ts), once as is and once after `--drop` removed the 0014 indexes.
 *   npx tsx scripts/bench/authorize-write-cost.ts --file /tmp/copy.db [--drop] [--batches 2000]
 */
const { values } = parseArgs({
  options: {
    file: { type: 'string' }, drop: { type: 'boolean', default: false }, only: { type: 'string' }, batches: { type: 'string', default: '2000' },
  },
});
if (!values.file) throw new Error('--file <database> is required');
const db = openDatabase({ filename: values.file });
if (values.only) {
  // Drop just these (comma-separated index names), to see what each costs.
  for (const name of values.only.split(',')) db.exec(`DROP INDEX IF EXISTS ${name.replace(/[^a-z0-9_]/g, '')}`);
} else if (values.drop) {
  db.exec(`DROP INDEX IF EXISTS product_instances_by_va_contact; DROP INDEX IF EXISTS product_instances_by_contact;
    DROP INDEX IF EXISTS product_instances_renewal_due; DROP INDEX IF EXISTS product_instances_authorization_expiry;
    CREATE INDEX IF NOT EXISTS product_instances_by_va ON product_instances (va_id);`);
}
const repo = new SqliteProductInstanceRepository(db);
const ids = (db.prepare(`SELECT id FROM product_instances WHERE registration_state = 'REGISTERED' ORDER BY random() LIMIT 40000`).all() as Array<{ id: string }>)
  .map((r) => r.id);
const batches = Number(values.batches);
let now = Date.now();
const batch = db.transaction((chunk: string[]) => {
  for (const id of chunk) {
    const pi = repo.findById(id);
    if (!pi) continue;
    now += 1;
    repo.recordAuthorization({ ...pi, lastContactAt: now, authorizedAt: now, authorizationExpiresAt: now + 90 * 86_400_000 });
  }
});
const cpu = process.cpuUsage();
const started = performance.now();
for (let b = 0; b < batches; b += 1) {
  const start = (b * 16) % (ids.length - 16);
  batch(ids.slice(start, start + 16));
}
const used = process.cpuUsage(cpu);
const requests = batches * 16;
console.log(`${values.only ? `without ${values.only}` : values.drop ? 'without the 0014 indexes' : 'with the 0014 indexes'}: ${requests} updates in ${batches} transactions, `
  + `${((used.user + used.system) / requests).toFixed(1)} µs CPU and ${((performance.now() - started) * 1000 / requests).toFixed(1)} µs wall per update`);
db.close();
