import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PKI_FILES } from '../../server/pki/pki-file-store.js';
import { KEY_CACHE_LIMIT } from '../../licensing/pki/signature-verifier.js';
import type { UnregisteredDevice } from './bench-devices.js';
import { runRegister, type PhaseContext } from './bench-phases.js';
import { startBenchServer, type BenchServer } from './bench-server.js';
import { AdminClient, adminQueries, stallFromMetrics } from './scale-admin-load.js';
import { DeviceCursor, fixedRateAuthorize, ladderSearch, presignRun, type AuthorizeTarget, type FixedRateRun } from './scale-authorize.js';
import { CsrPool } from './scale-csr-pool.js';
import { meanFloor, measureFloor, type FloorFigures } from './scale-floor.js';
import { parseScaleOptions, type ScaleOptions } from './scale-options.js';
import { monotonicMicros, profilesOf, summarizeProfiles } from './scale-profile.js';
import { formatScaleReport, machineInfo, scaleGoals, writeScaleJson, type AdminFigures, type ScaleReport, type SizeResult } from './scale-report.js';
import { seedScale, type ScaleSeed } from './scale-seed.js';
import { machineBusyPercent } from './machine-busy.js';
import { signYardstickMicros } from './machine-speed.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROFILE_DIR = join(REPO_ROOT, '.bench', 'profiles');
const WARMUP_REQUESTS = 2000;
/** How far into the admin phase's AUTHORIZE run the admin calls start (see adminPhase). */
const ADMIN_START_DELAY_MS = 5_000;
const FLOOR_SECONDS_MAX = 15;
const SERVER_START_TIMEOUT_MS = 600_000;

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * The server is started with SATELLITE_DEVICE_KEY_CACHE=0 (no cached device keys). A server without that
 * knob keeps an LRU of KEY_CACHE_LIMIT keys: cycling through more devices than that still misses every time.
 */
function keyCacheNote(realDevices: number): string {
  const config = readFileSync(join(REPO_ROOT, 'server', 'config.ts'), 'utf8');
  if (config.includes('SATELLITE_DEVICE_KEY_CACHE')) return 'SATELLITE_DEVICE_KEY_CACHE=0 (the server caches no device key)';
  return realDevices > KEY_CACHE_LIMIT
    ? `this server has no SATELLITE_DEVICE_KEY_CACHE knob; its LRU holds ${KEY_CACHE_LIMIT} keys and the run cycles ${realDevices} devices, so every key is a miss`
    : `this server has no SATELLITE_DEVICE_KEY_CACHE knob and the run cycles ${realDevices} devices, within its ${KEY_CACHE_LIMIT}-key LRU: keys are CACHED`;
}

interface SizeContext { options: ScaleOptions; csrs: CsrPool; largest: boolean; log: (line: string) => void }

async function runSize(instances: number, ctx: SizeContext): Promise<SizeResult> {
  const { options } = ctx;
  const workDir = mkdtempSync(join(tmpdir(), 'satellite-scale-'));
  let server: BenchServer | null = null;
  const stop = (): void => {
    void (server ? server.stop() : Promise.resolve()).finally(() => {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', stop);
  try {
    log(`\n== ${instances.toLocaleString('en-US')} instances: seeding in ${workDir} ...`);
    const seed = await seedScale({
      instances, realDevices: options.realDevices, cacheRoot: options.useCache ? join(REPO_ROOT, '.bench', 'scale-cache') : null,
      workDir, csrs: ctx.csrs, log,
    });
    log(`seeded ${seed.instances.toLocaleString('en-US')} instances (${seed.devices.length} real devices) in ${seed.seconds.toFixed(1)} s${seed.fromCache ? ' (earlier, cached)' : ''}`);
    // Before the CSR children start making the REGISTER burst's devices on the same cores.
    const speedBefore = signYardstickMicros();
    const withRegister = ctx.largest && !options.skipRegister;
    // Made on the CSR children while the server starts and the AUTHORIZE runs go.
    const pendingCsrs = withRegister ? ctx.csrs.generate('N', 0, options.registerCount) : Promise.resolve<UnregisteredDevice[]>([]);
    if (options.cpuProfile) mkdirSync(PROFILE_DIR, { recursive: true });
    const startedAt = Date.now();
    const startClock = performance.now();
    server = await startBenchServer({
      startTimeoutMs: SERVER_START_TIMEOUT_MS,
      dataDir: seed.dataDir,
      nodeArgs: options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
      env: {
        SATELLITE_DEVICE_KEY_CACHE: '0',
        // All bench traffic comes from 127.0.0.1: the default cap of 100 connections per address would refuse the burst.
        SATELLITE_MAX_CONNECTIONS_PER_ADDRESS: '1000',
      },
    });
    const serverStartSeconds = (performance.now() - startClock) / 1000;
    log(`server pid ${server.pid} on https://127.0.0.1:${server.port}, ready banner after ${serverStartSeconds.toFixed(1)} s`);
    const result = await measureSize(server, seed, pendingCsrs, ctx);
    result.result.serverStartSeconds = serverStartSeconds;
    const serverPid = server.pid;
    await server.stop();
    server = null;
    result.result.speed = { beforeSignMicros: speedBefore, afterSignMicros: signYardstickMicros() };
    if (options.cpuProfile) {
      const files = profilesOf(PROFILE_DIR, serverPid, startedAt);
      if (files.length > 0) result.result.profile = summarizeProfiles(files, REPO_ROOT, result.profileWindow);
      else log(`no CPU profile of server pid ${serverPid} found in ${PROFILE_DIR}`);
    }
    return result.result;
  } finally {
    process.off('SIGINT', stop);
    if (server) await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function measureSize(server: BenchServer, seed: ScaleSeed, pendingCsrs: Promise<UnregisteredDevice[]>, ctx: SizeContext):
  Promise<{ result: SizeResult; profileWindow: { fromMicros: number; toMicros: number } }> {
  const { options } = ctx;
  const pki = join(seed.dataDir, 'pki');
  const target = { port: server.port, rootCaPem: readFileSync(join(pki, PKI_FILES.rootCertificatePem), 'utf8') };
  const t: AuthorizeTarget = {
    target, url: `https://127.0.0.1:${server.port}`, databaseFile: seed.databaseFile,
    signingCertificatePem: readFileSync(join(pki, PKI_FILES.signingCertificatePem), 'utf8'),
    connections: options.connections, serverCpuSeconds: () => server.cpuSeconds(),
    serverThreadCpuSeconds: () => server.threadCpuSeconds(), serverPid: server.pid,
  };
  const cursor = new DeviceCursor(seed.devices);
  const keyCache = keyCacheNote(seed.devices.length);
  log(`key cache: ${keyCache}`);
  // Unmeasured: JIT, first page reads, and the start-up sweeps a large database triggers.
  const warmRate = Math.min(options.rate, 500);
  const warmUp = (): Promise<FixedRateRun> => fixedRateAuthorize(t, cursor, warmRate, Math.min(WARMUP_REQUESTS, seed.devices.length) / warmRate, false);
  const warm = await warmUp();
  // The floor brackets the fixed-rate run (meanFloor says why): once just before it, once just after.
  const floorOf = async (when: string, responseBytes: number): Promise<FloorFigures> => {
    log(`floor ${when}: bare Express 5 HTTPS POST + crypto + transaction, in a separate process ...`);
    const floorSeconds = Math.min(FLOOR_SECONDS_MAX, options.durationSeconds);
    const body = cursor.presign(1).bodies[0] ?? '';
    return measureFloor({
      dataDir: seed.dataDir, databaseFile: seed.databaseFile, bodies: new Array<string>(Math.ceil(options.rate * floorSeconds) + WARMUP_REQUESTS * 2).fill(body),
      responseBytes, rate: options.rate, seconds: floorSeconds, connections: options.connections,
    });
  };
  const floorBefore = await floorOf('before the run', warm.responseBytes);
  // Again after the floor: its process wrote to the database and loaded both cores while the server sat idle.
  await warmUp();
  const busyBeforePercent = await machineBusyPercent();
  if (busyBeforePercent > 10) log(`warning: the machine is ${busyBeforePercent} % busy before the load; figures will be skewed`);
  log(`AUTHORIZE at ${options.rate}/s for ${options.durationSeconds} s, ${options.connections} connections ...`);
  const from = monotonicMicros();
  const fixedRate = await fixedRateAuthorize(t, cursor, options.rate, options.durationSeconds, true);
  const profileWindow = { fromMicros: from, toMicros: monotonicMicros() };
  log(`  p99 ${fixedRate.load.latencyMs.p99} ms, achieved ${fixedRate.achievedRate.toFixed(0)}/s, CPU ${fixedRate.serverCpuMicrosPerRequest?.toFixed(0) ?? 'n/a'} µs/req, generator ${fixedRate.load.clientCpuMicrosPerRequest.toFixed(0)} µs/req`);
  const floor = meanFloor([floorBefore, await floorOf('after the run', fixedRate.responseBytes)]);
  const cpuToFloor = fixedRate.serverCpuMicrosPerRequest === null || floor.totalMicros <= 0 ? null : fixedRate.serverCpuMicrosPerRequest / floor.totalMicros;
  const ladder = options.skipLadder ? null
    : await ladderSearch(t, cursor, { rate: options.rate, held: fixedRate.held }, options.ladderStepSeconds, options.ladderMaxSteps, log);


  let register: SizeResult['register'] = null;
  if (ctx.largest && !options.skipRegister) {
    const pending = await pendingCsrs;
    log(`REGISTER burst: ${pending.length} new devices, ${options.registerConnections} connections ...`);
    const phase: PhaseContext = { target, url: t.url, databaseFile: seed.databaseFile, signingCertificatePem: t.signingCertificatePem, connections: options.registerConnections, durationSeconds: options.durationSeconds };
    register = await runRegister(phase, pending, seed.tokenSecret, options.registerConnections);
  }
  let admin: SizeResult['admin'] = null;
  let adminError: string | null = null;
  if (ctx.largest && !options.skipAdmin) {
    // A failed admin phase is a missed goal, not a lost report of everything measured before it.
    try {
      admin = await adminPhase(t, cursor, seed, options);
    } catch (error) {
      adminError = error instanceof Error ? error.message : String(error);
      log(`admin phase failed: ${adminError}`);
    }
  }
  return {
    result: {
      instances: seed.instances, realDevices: seed.devices.length, seed: { seconds: seed.seconds, fromCache: seed.fromCache }, serverStartSeconds: 0, keyCache,
      busyBeforePercent, speed: null, fixedRate, ladder, floor, cpuToFloor, register, admin, adminError, profile: null,
    },
    profileWindow,
  };
}

/** AUTHORIZE at the fixed rate while an admin exports every instance and runs list, search and filter requests. */
async function adminPhase(t: AuthorizeTarget, cursor: DeviceCursor, seed: ScaleSeed, options: ScaleOptions): Promise<AdminFigures> {
  log(`admin at ${seed.instances.toLocaleString('en-US')}: CSV export + lists while AUTHORIZE runs at ${options.rate}/s for ${options.durationSeconds} s ...`);
  // Signed first: signing holds this process's event loop for seconds, which would stall the admin client.
  const presigned = presignRun(t, cursor, options.rate, options.durationSeconds);
  const client = new AdminClient(t.target);
  try {
    await client.logIn(seed.admin.clientId, seed.admin.clientSecret);
    // This scrape starts the stall gauge's interval; the one after the phase reads its maximum.
    await client.metrics();
    let authorizeDone = false;
    const authorizing = fixedRateAuthorize(t, cursor, options.rate, options.durationSeconds, true, presigned).finally(() => {
      authorizeDone = true;
    });
    // Should the admin side fail first, this run's own failure must not become an unhandled rejection.
    authorizing.catch(() => undefined);
    const sample = seed.devices[0];
    // The admin calls are measured against the steady device load: in its first seconds the run starts the
    // generator's process and opens its 64 TLS connections on the same two cores, and a first page asked for
    // then waited behind those handshakes (282-354 ms, against 71 ms with no device load).
    await new Promise((resolve) => setTimeout(resolve, ADMIN_START_DELAY_MS));
    // The first page alone under device load, then everything else while the export streams.
    const alone = await client.list('first page, before the export starts', {});
    const clientCpu = process.cpuUsage();
    const [exported, calls] = await Promise.all([
      client.exportAll(),
      adminQueries(client, seed.instances, sample?.udi.udi_serial_number ?? 'none', sample?.instanceId ?? 'none'),
    ]);
    const used = process.cpuUsage(clientCpu);
    const adminClientCpuSeconds = (used.user + used.system) / 1e6;
    calls.unshift(alone);
    const adminInsideAuthorizeRun = !authorizeDone;
    const authorize = await authorizing;
    // The run's own scrapes split the phase's time: its maximum covers the run, this one what came after.
    const after = stallFromMetrics(await client.metrics());
    const stallMaxMs = after === null && authorize.serverStallMs === null ? null : Math.max(after ?? 0, authorize.serverStallMs ?? 0);
    return { authorize, calls, export: exported, stallMaxMs, adminInsideAuthorizeRun, adminClientCpuSeconds };
  } finally {
    client.close();
  }
}

async function main(): Promise<void> {
  const options = parseScaleOptions(process.argv.slice(2));
  if (options.quick) log('--quick: a smoke run at small sizes; not an official figure');
  const csrs = new CsrPool(2);
  const sizes: SizeResult[] = [];
  try {
    for (const [k, instances] of options.sizes.entries()) {
      sizes.push(await runSize(instances, { options, csrs, largest: k === options.sizes.length - 1, log }));
    }
  } finally {
    csrs.close();
  }
  const goals = scaleGoals(sizes);
  const report: ScaleReport = {
    generatedAt: new Date().toISOString(), machine: machineInfo(), settings: { ...options }, sizes, goals, allGoalsMet: goals.every((g) => g.met),
  };
  log(formatScaleReport(report));
  log(`JSON report: ${writeScaleJson(REPO_ROOT, report)}`);
  if (!report.allGoalsMet) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:scale failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
