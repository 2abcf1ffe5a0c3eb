import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteUpstreamStore } from '../../db/upstream/sqlite-upstream-unit-of-work.js';
import type { InstanceEntitlement, ProductInstance } from '../../licensing/instances/product-instance.js';
import { MS_PER_DAY, systemClock } from '../../licensing/shared/clock.js';
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
 *   baseline                                           loads the same modules and does nothing (the RSS floor)
 */

const BENCH_ACCOUNT = 'Acme Corp';
const BENCH_VA = 'Default';
/** Distinct license tags the seeded instances consume (the orders file has lines for each). */
const BENCH_TAG_COUNT = 20;
const benchSyncTag = (i: number): string => `regid.2026-01.com.example.SyncBench_${i},1.0_5b1e0c2a-7d3f-4e6a-9b8c-${String(i).padStart(12, '0')}`;

const SEED_BATCH = 20_000;

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
          const tagIndex = i % BENCH_TAG_COUNT;
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
          const entitlement: InstanceEntitlement = { tag: benchSyncTag(tagIndex), requested: count, authorized: count, status: 'AUTHORIZED', updatedAt: now };
          r.instances.insert(instance);
          r.instances.upsertEntitlement(instance.id, entitlement);
          perTag[tagIndex] = (perTag[tagIndex] ?? 0) + count;
        }
      });
    }
    satellite.uow.write((r) => {
      perTag.forEach((used, t) => r.licenses.addUsage(vaId, benchSyncTag(t), { authorized: used, requested: used, reserved: 0 }));
    });
    return { instances: satellite.uow.read((r) => r.instances.countRegistered()), consumed: perTag.reduce((a, b) => a + b, 0) };
  });
  return { orders, seed_seconds: (performance.now() - seedStarted) / 1000, ...seeded };
}

async function exportStep(satDir: string, requestFile: string): Promise<Record<string, unknown>> {
  return withSatellite(satDir, async (satellite) => {
    const { manifest } = await satellite.requestExporter.exportRequestBundle({ outFile: requestFile });
    return { sequence: manifest.sequence, entries: Object.fromEntries(manifest.entries.map((e) => [e.kind, e.records])) };
  });
}

async function processStep(upDir: string, requestFile: string, responseFile: string): Promise<Record<string, unknown>> {
  return withUpstream(upDir, async (u) => {
    const done = await new RequestProcessor(u).processRequest(requestFile, responseFile);
    return {
      request_sequence: done.request.sequence, response_sequence: done.response.sequence, product_instances: done.productInstances,
      entries: Object.fromEntries(done.response.entries.map((e) => [e.kind, e.records])),
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
  let details: Record<string, unknown>;
  switch (step) {
    case 'setup': details = await setup(arg(0), arg(1), Number(arg(2)), Number(arg(3))); break;
    case 'export': details = await exportStep(arg(0), arg(1)); break;
    case 'process': details = await processStep(arg(0), arg(1), arg(2)); break;
    case 'import': details = await importStep(arg(0), arg(1)); break;
    case 'baseline': details = {}; break;
    default: throw new Error(`unknown step '${step ?? ''}' (setup, export, process, import, baseline)`);
  }
  const seconds = (performance.now() - started) / 1000;
  // maxRSS is the process's peak resident set in KiB, module loading included: what an admin running the CLI pays.
  process.stdout.write(`${JSON.stringify({ step, seconds, max_rss_kib: process.resourceUsage().maxRSS, details })}\n`);
}

await main(process.argv.slice(2));
