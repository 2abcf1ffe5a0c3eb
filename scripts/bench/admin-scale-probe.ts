import { parseArgs } from 'node:util';
import { systemClock } from '../../licensing/shared/clock.js';
import type { InstanceQuery } from '../../licensing/instances/instance-inventory-repository.js';
import { InstanceQueryService } from '../../licensing/instances/instance-query-service.js';
import type { Satellite } from '../../server/composition-root.js';
import { instanceCsvRows } from '../../server/admin/instances/instance-csv.js';
import { SCALE_ACCOUNT, scaleVirtualAccountName, seedAdminScale } from './admin-scale-seed.js';

/**
 * Admin reads and sweeps at scale, timed in-process (issue 13 item 5): seeds (or reopens) a data directory with
 * `--instances` bulk rows, then runs each admin query and sweep once and prints wall and CPU milliseconds.
 * Run: npx tsx scripts/bench/admin-scale-probe.ts --dir /tmp/scale-1m --instances 1000000
 * The figures are for comparing shapes (O(page) against O(instances)); the official load runs are bench:scale.
 */
const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/admin-scale' }, instances: { type: 'string', default: '100000' },
    'skip-export': { type: 'boolean', default: false },
  },
});

/**
 * The longest stretch of CPU between two yields of the code under test: the stall a device request queued
 * behind it would wait, measured in CPU so that a loaded machine does not inflate it (wall gaps are printed too).
 */
let sinceYield = process.cpuUsage();
let longestStep = 0;
const measuredTurn = (): Promise<void> => {
  const used = process.cpuUsage(sinceYield);
  longestStep = Math.max(longestStep, (used.user + used.system) / 1000);
  return new Promise((resolve) => {
    setImmediate(() => {
      sinceYield = process.cpuUsage();
      resolve();
    });
  });
};
function startSteps(): void {
  sinceYield = process.cpuUsage();
  longestStep = 0;
}
function endSteps(): string {
  const used = process.cpuUsage(sinceYield);
  longestStep = Math.max(longestStep, (used.user + used.system) / 1000);
  return `longest CPU between yields ${longestStep.toFixed(1)} ms`;
}

async function timedPage(name: string, run: () => Promise<{ instances: unknown[]; total: number }>): Promise<void> {
  startSteps();
  const page = await timedAsync(name, run);
  console.log(`    -> ${page.instances.length} rows, total ${page.total}; ${endSteps()}`);
}

function timed<T>(name: string, run: () => T): T {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = run();
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  console.log(`${name.padEnd(48)} wall ${wall.toFixed(1).padStart(9)} ms  cpu ${((used.user + used.system) / 1000).toFixed(1).padStart(9)} ms`);
  return result;
}

async function timedAsync<T>(name: string, run: () => Promise<T>): Promise<T> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let longest = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const at = performance.now();
    longest = Math.max(longest, at - last);
    last = at;
  }, 1);
  const result = await run();
  clearInterval(probe);
  // The stretch since the last tick counts too: a run that never yields is one long stall.
  longest = Math.max(longest, performance.now() - last);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  console.log(`${name.padEnd(48)} wall ${wall.toFixed(1).padStart(9)} ms  cpu ${((used.user + used.system) / 1000).toFixed(1).padStart(9)} ms  longest event-loop gap ${longest.toFixed(1)} ms`);
  return result;
}

async function main(): Promise<void> {
  const instances = Number(values.instances);
  const satellite: Satellite = await timedAsync(`seed or open ${instances} instances`, () => seedAdminScale({ dataDir: values.dir, instances, clock: systemClock }));
  try {
    const account = satellite.uow.read((r) => r.accounts.findAccountByName(SCALE_ACCOUNT));
    const va = account && satellite.uow.read((r) => r.accounts.findVirtualAccountByName(account.id, scaleVirtualAccountName(0)));
    if (!account || !va) throw new Error('not seeded');
    const base: InstanceQuery = { accountId: account.id, virtualAccountId: va.id, registrationState: 'REGISTERED', sort: '-lastContact', limit: 50, offset: 0 };
    const queries = new InstanceQueryService({ uow: satellite.uow, clock: systemClock, yieldTurn: measuredTurn });
    const list = (name: string, query: Partial<InstanceQuery>): Promise<void> => timedPage(name, () => queries.list({ ...base, ...query }));
    await list('list: VA, newest first (the UI default)', {});
    await list('list: VA, newest first (again, warm)', {});
    await list('list: VA, oldest first', { sort: 'lastContact' });
    await list('list: whole account, newest first', { virtualAccountId: undefined });
    await list('list: authorizationState OUT_OF_COMPLIANCE', { authorizationState: 'OUT_OF_COMPLIANCE' });
    await list('list: registrationState UNREGISTERED', { registrationState: 'UNREGISTERED' });
    await list('list: search "SFOC0001234"', { search: 'SFOC0001234' });
    await list('list: search "s-host-4242"', { search: 's-host-4242' });
    await list('list: serialNumber exact', { serialNumber: 'SFOC00012345', virtualAccountId: undefined });
    await list('list: pid exact', { pid: 'C9300-48P' });
    await list('list: offset 9,950', { offset: 9950 });
    await list('list: search prefix "SFOC0001234"', { search: 'SFOC0001234', searchMatch: 'prefix' });
    await list('list: search prefix "s-host-4242"', { search: 's-host-4242', searchMatch: 'prefix' });
    await list('list: search prefix "C9300" (dense)', { search: 'C9300', searchMatch: 'prefix' });
    await list('list: licenseTag', { licenseTag: 'regid.2026-01.com.example.NET_ADV' });
    await list('list: whole account, ANY state', { virtualAccountId: undefined, registrationState: undefined });
    const firstPage = await queries.list({ ...base, limit: 50 });
    if (firstPage.next) await list('list: next page by cursor', { after: firstPage.next });
    if (!values['skip-export']) startSteps();
    if (!values['skip-export']) await timedAsync('export: every row of the account (CSV rows built)', async () => {
      let rows = 0;
      let bytes = 0;
      for await (const chunk of queries.exportRows({ ...base, virtualAccountId: undefined, limit: Number.MAX_SAFE_INTEGER })) {
        rows += chunk.length;
        bytes += instanceCsvRows(chunk).length;
      }
      console.log(`    -> ${rows} rows, ${(bytes / 1e6).toFixed(0)} MB of CSV; ${endSteps()}; RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
    });
    const first = (await satellite.instanceQueries.list({ ...base, limit: 1 })).instances[0];
    if (first) timed('detail by id', () => satellite.instanceQueries.detail(account.id, first.instance.id));
    timed('licenses of the account (toolkit POST .../licenses view)', () => satellite.licensePools.accountLicenses(account.id));
    timed('pools of a VA (license views)', () => satellite.licensePools.virtualAccountPools(va.id));
    const tag = 'regid.2026-01.com.example.NET_ADV';
    timed('license detail (pool, top consumers, events)', () => satellite.licenseLines.detail(va.id, tag));
    for (const run of ['compliance sweep in steps (the schedule: at start, every 15 min)', 'compliance sweep in steps again (steady state)']) {
      startSteps();
      await timedAsync(run, () => satellite.complianceSweep.runInSteps(measuredTurn));
      console.log(`    -> ${endSteps()}`);
    }
    timed('compliance sweep in one transaction (run(): tests, sync now)', () => satellite.complianceSweep.run());
  } finally {
    satellite.close();
  }
}

await main();
