import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteUpstreamStore } from '../../db/upstream/sqlite-upstream-unit-of-work.js';
import type { InstanceEntitlement, ProductInstance } from '../../licensing/instances/product-instance.js';
import { MS_PER_DAY, systemClock } from '../../licensing/shared/clock.js';
import { recordsByKind } from '../../protocol/sync-manifest.js';
import { uuidGenerator } from '../../licensing/shared/id-generator.js';
import { readOrdersFile } from '../../sync/upstream/orders-file-reader.js';
import { readRegistrationFile } from '../../sync/registration/registration-file-reader.js';
import { openReferenceUpstream, type ReferenceUpstream } from '../../sync/upstream/reference-upstream.js';
import { RequestProcessor } from '../../sync/upstream/request-processor.js';
import { withSatellite } from '../cli/offline-satellite.js';

/**
 * One step of `npm run bench:sync`, run in its own process by scripts/bench/sync-bench.ts so that the peak
 * RSS it reports (process.resourceUsage().maxRSS) belongs to that step alone. Prints one JSON line on stdout.
 *
 *   setup   <satDir> <upDir> <instances> <orderLines>  orders file + upstream init + register-satellite + sync register + seed
 *   export  <satDir> <request.zip>
 *   process <upDir> <request.zip> <response.zip>
 *   import  <satDir> <response.zip>
 *   churn   <satDir> <changed> <removed> <added>         touches, deregisters and adds instances (the incremental round)
 *   held    <upDir>                                    what the upstream holds of the satellite's instances (not a goal)
 *   baseline                                           loads the same modules and does nothing (the RSS floor)
 */

const BENCH_ACCOUNT = 'Acme Corp';
const BENCH_VA = 'Default';
/** Distinct license tags the seeded instances consume (the orders file has lines for each). */
const BENCH_TAG_COUNT = 20;
const benchSyncTag = (i: number): string => `regid.2026-01.com.example.SyncBench_${i},1.0_5b1e0c2a-7d3f-4e6a-9b8c-${String(i).padStart(12, '0')}`;

/** Instances per seeding transaction: prepared statements in big transactions, 1M rows in about half a minute. */
const SEED_BATCH = 50_000;

function openUpstream(dataDir: string): ReferenceUpstream {
  return openReferenceUpstream({ dataDir, clock: systemClock, newId: uuidGenerator, openStore: openSqliteUpstreamStore });
}

async function withUpstream<T>(dataDir: string, work: (u: ReferenceUpstream) => Promise<T> | T): Promise<T> {
  const upstream = openUpstream(dataDir);
  try {
    return await work(upstream);
  } finally {
    upstream.close();
  }
}

/**
 * The bound VA's orders: `lines` lines spread over the bench tags, each tag holding twice what the seeded
 * instances consume (instances use 2 on average), so the pools stay in compliance after the import.
 */
function writeOrders(file: string, lines: number, instances: number): void {
  const perTagLines = Math.ceil(lines / BENCH_TAG_COUNT);
  const quantity = Math.max(1, Math.ceil((4 * instances) / BENCH_TAG_COUNT / perTagLines));
  const rows = ['order_line_id,smart_account,virtual_account,tag,display_name,description,quantity,license_type,start_date,end_date,substitution_ladder,substitution_level'];
  for (let i = 0; i < lines; i += 1) {
    const t = i % BENCH_TAG_COUNT;
    const term = i % 4 === 0;
    rows.push([
      `SB-${String(i).padStart(6, '0')}`, BENCH_ACCOUNT, BENCH_VA, `"${benchSyncTag(t)}"`, `Sync Bench ${t}`, `bench line ${i}`, quantity,
      term ? 'TERM' : 'PERPETUAL', '2026-01-01', term ? '2030-01-01' : '', '', '',
    ].join(','));
  }
  writeFileSync(file, `${rows.join('\n')}\n`);
}

/** Seeded instance number `i`: one of 20 tags, 1-3 seats, a realistic UDI, hostname and address. */
function benchInstance(i: number, vaId: string, now: number): { instance: ProductInstance; entitlement: InstanceEntitlement } {
  const count = 1 + (i % 3);
  const instance: ProductInstance = {
    id: uuidGenerator(), virtualAccountId: vaId,
    udi: { pid: 'SYNC-BENCH', serialNumber: `SB${String(i).padStart(8, '0')}`, vid: 'V01', hostIdentifier: null },
    productTag: 'regid.2026-01.com.example.SyncBenchDevice,1.0_5b1e0c2a-7d3f-4e6a-9b8c-ffffffffffff', hostname: `sb-${i}.example.test`,
    ipAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, tokenId: null, exportControlAllowed: false,
    registrationState: 'REGISTERED', authorizationState: 'AUTHORIZED', registeredAt: now, lastContactAt: now,
    authorizedAt: now, authorizationExpiresAt: now + 90 * MS_PER_DAY, shortReportStreak: 0,
    currentCertificateSerial: (0x100000 + i).toString(16),
  };
  const entitlement: InstanceEntitlement = {
    tag: benchSyncTag(i % BENCH_TAG_COUNT), requested: count, authorized: count, status: 'AUTHORIZED', updatedAt: now,
  };
  return { instance, entitlement };
}

async function setup(satDir: string, upDir: string, instances: number, lines: number): Promise<Record<string, unknown>> {
  mkdirSync(satDir, { recursive: true });
  mkdirSync(upDir, { recursive: true });
  const ordersCsv = join(upDir, 'orders.csv');
  writeOrders(ordersCsv, lines, instances);
  const registrationFile = join(upDir, 'registration.json');
  const orders = await withUpstream(upDir, async (u) => {
    const summary = u.orders.load(await readOrdersFile(ordersCsv, 'csv'));
    const { file } = u.issueRegistration({
      name: 'Sync Bench', accounts: [{ account: BENCH_ACCOUNT, virtualAccounts: [] }], credentialValidityMs: 365 * MS_PER_DAY,
    });
    writeFileSync(registrationFile, file);
    return summary;
  });
  const grant = await readRegistrationFile(registrationFile);
  const seedStarted = performance.now();
  const seeded = await withSatellite(satDir, (satellite) => {
    satellite.satelliteBinding.register(grant, { force: false, actorId: 'bench' });
    const vaId = satellite.uow.read((r) => {
      const account = r.accounts.findAccountByName(BENCH_ACCOUNT);
      const va = account && r.accounts.findVirtualAccountByName(account.id, BENCH_VA);
      if (!va) throw new Error(`the binding did not create ${BENCH_ACCOUNT}/${BENCH_VA}`);
      return va.id;
    });
    const now = systemClock.now();
    const perTag = new Array<number>(BENCH_TAG_COUNT).fill(0);

    // A few big transactions straight through the repositories: 100,000 REGISTERs would take minutes of CSR
    // checks and certificate signing that this bench is not about. current_cert_serial has no foreign key.
    for (let start = 0; start < instances; start += SEED_BATCH) {
      const end = Math.min(start + SEED_BATCH, instances);
      satellite.uow.write((r) => {
        for (let i = start; i < end; i += 1) {
          const { instance, entitlement } = benchInstance(i, vaId, now);
          r.instances.insert(instance);
          r.instances.upsertEntitlement(instance.id, entitlement);
          perTag[i % BENCH_TAG_COUNT] = (perTag[i % BENCH_TAG_COUNT] ?? 0) + entitlement.requested;
        }
      });
    }
    satellite.uow.write((r) => {
      perTag.forEach((used, t) => r.licenses.addUsage(vaId, benchSyncTag(t), { authorized: used, requested: used, reserved: 0 }));
    });
    return { instances: satellite.uow.read((r) => r.instances.countRegistered()), consumed: perTag.reduce((a, b) => a + b, 0) };
  }, { create: true });
  return { orders, seed_seconds: (performance.now() - seedStarted) / 1000, ...seeded };
}

async function exportStep(satDir: string, requestFile: string): Promise<Record<string, unknown>> {
  return withSatellite(satDir, async (satellite) => {
    const { manifest, instancesBaseSequence } = await satellite.requestExporter.exportRequestBundle({ outFile: requestFile });
    return {
      sequence: manifest.sequence, instances_base_sequence: instancesBaseSequence, entries: recordsByKind(manifest.entries),
      instance_parts: manifest.entries.filter((e) => e.kind === 'product-instances').map((e) => ({ name: e.name, size: e.size, records: e.records })),
    };
  });
}

/**
 * The incremental round's changes, as devices and admins make them between two syncs: `changed` instances report
 * (last contact), `removed` are deregistered, `added` new ones register. Spread over the inventory (every k-th).
 */
async function churnStep(satDir: string, changed: number, removed: number, added: number): Promise<Record<string, unknown>> {
  return withSatellite(satDir, (satellite) => {
    const now = systemClock.now();
    const total = satellite.uow.read((r) => r.instances.countRegistered());
    const stride = Math.max(1, Math.floor(total / (changed + removed)));
    let touched = 0;
    let deregistered = 0;
    satellite.uow.write((r) => {
      for (let k = 0; k < changed + removed; k += 1) {
        const serial = `SB${String(k * stride).padStart(8, '0')}`;
        const instance = r.instances.findRegisteredByUdi('SYNC-BENCH', serial);
        if (!instance) continue;
        if (k < changed) {
          r.instances.touch(instance.id, now);
          touched += 1;
        } else {
          r.instances.update({ ...instance, registrationState: 'UNREGISTERED', lastContactAt: now });
          deregistered += 1;
        }
      }
      const vaId = r.instances.findRegisteredByUdi('SYNC-BENCH', 'SB00000001')?.virtualAccountId;
      if (vaId === undefined) throw new Error('no bench instance to add next to');
      for (let i = 0; i < added; i += 1) {
        const { instance, entitlement } = benchInstance(total + 10_000_000 + i, vaId, now);
        r.instances.insert(instance);
        r.instances.upsertEntitlement(instance.id, entitlement);
      }
    });
    return { touched, deregistered, added };
  });
}

async function processStep(upDir: string, requestFile: string, responseFile: string): Promise<Record<string, unknown>> {
  return withUpstream(upDir, async (u) => {
    const done = await new RequestProcessor(u).processRequest(requestFile, responseFile);
    return {
      request_sequence: done.request.sequence, response_sequence: done.response.sequence, product_instances: done.productInstances,
      instances_sequence: done.satellite.instancesSequence,
      entries: recordsByKind(done.response.entries),
    };
  });
}

async function importStep(satDir: string, responseFile: string): Promise<Record<string, unknown>> {
  return withSatellite(satDir, async (satellite) => ({ result: await satellite.responseImporter.importFile(responseFile, 'bench') }));
}

async function main(argv: string[]): Promise<void> {
  const [step, ...args] = argv;
  const arg = (i: number): string => {
    const value = args[i];
    if (value === undefined) throw new Error(`step ${step ?? '?'}: missing argument ${i + 1}`);
    return value;
  };
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let details: Record<string, unknown>;
  switch (step) {
    case 'setup': details = await setup(arg(0), arg(1), Number(arg(2)), Number(arg(3))); break;
    case 'export': details = await exportStep(arg(0), arg(1)); break;
    case 'process': details = await processStep(arg(0), arg(1), arg(2)); break;
    case 'import': details = await importStep(arg(0), arg(1)); break;
    case 'held': details = await withUpstream(arg(0), (u) => u.sync.status()[0]?.reports.instances ?? {}); break;
    case 'churn': details = await churnStep(arg(0), Number(arg(1)), Number(arg(2)), Number(arg(3))); break;
    case 'baseline': details = {}; break;
    default: throw new Error(`unknown step '${step ?? ''}' (setup, export, process, import, churn, held, baseline)`);
  }
  const seconds = (performance.now() - started) / 1000;
  // CPU seconds (user + system) of this process: on a shared machine wall time measures the neighbours too.
  const usage = process.cpuUsage(cpuStarted);
  const cpuSeconds = (usage.user + usage.system) / 1e6;
  // maxRSS is the process's peak resident set in KiB, module loading included: what an admin running the CLI pays.
  process.stdout.write(`${JSON.stringify({ step, seconds, cpu_seconds: cpuSeconds, max_rss_kib: process.resourceUsage().maxRSS, details })}\n`);
}

await main(process.argv.slice(2));
