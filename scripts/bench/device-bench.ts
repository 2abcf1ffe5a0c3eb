import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../server/config.js';
import { PKI_FILES } from '../../server/pki/pki-file-store.js';
import { benchUdi, mapParallel, newRunPrefix, newUnregisteredDevice } from './bench-devices.js';
import {
  presignAuthorize, presignCount, runAuthorize, runBaseline, runRegister, warmUpAuthorize, WARMUP_REQUESTS, type PhaseContext,
} from './bench-phases.js';
import { buildReport, formatReport, writeReportJson } from './bench-report.js';
import { seedBench } from './bench-seed.js';
import { startBenchServer, type BenchServer } from './bench-server.js';
import { machineBusyPercent } from './machine-busy.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OFFICIAL_MIN_SECONDS = 15;
const CONNECTIONS = 64;
const REGISTER_CONNECTIONS = 32;

interface BenchOptions { durationSeconds: number; devices: number; registerCount: number; cpuProfile: boolean }

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: String(OFFICIAL_MIN_SECONDS) },
      devices: { type: 'string', default: '10000' },
      register: { type: 'string', default: '3000' },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const positive = (name: string, text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
    return value;
  };
  return {
    durationSeconds: positive('duration', values.duration),
    devices: positive('devices', values.devices),
    registerCount: Math.max(positive('register', values.register), REGISTER_CONNECTIONS),
    cpuProfile: values['cpu-prof'],
  };
}

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const officialRun = options.durationSeconds >= OFFICIAL_MIN_SECONDS;
  if (!officialRun) log(`warning: --duration ${options.durationSeconds} is below ${OFFICIAL_MIN_SECONDS} s; this is a smoke run, not an official figure`);
  const dataDir = mkdtempSync(join(tmpdir(), 'satellite-bench-'));
  const config = loadConfig({ SATELLITE_DATA_DIR: dataDir, SATELLITE_HOSTNAMES: '127.0.0.1', SATELLITE_LOG_LEVEL: 'warn' });
  const runPrefix = newRunPrefix();
  let server: BenchServer | null = null;
  // Ctrl-C must not leave a server child or a temp data directory behind.
  process.once('SIGINT', () => {
    void (server ? server.stop() : Promise.resolve()).finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
  try {
    log(`seeding ${options.devices} product instances in ${dataDir} ...`);
    const seeded = await seedBench(config, options.devices, runPrefix, (done) => log(`  ${done} registered`));
    log(`seeded ${seeded.devices.length} product instances in ${seeded.seconds.toFixed(1)} s`);

    const csrStarted = performance.now();
    const pending = await mapParallel(options.registerCount, 32, (i) => newUnregisteredDevice(benchUdi(`${runPrefix}R`, i)));
    const registerCsrSeconds = (performance.now() - csrStarted) / 1000;

    const profileDir = join(REPO_ROOT, '.bench', 'profiles');
    if (options.cpuProfile) mkdirSync(profileDir, { recursive: true });
    server = await startBenchServer({
      dataDir, nodeArgs: options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    });
    log(`server pid ${server.pid} listening on https://127.0.0.1:${server.port}`);
    const busyBefore = await machineBusyPercent();
    if (busyBefore > 10) log(`warning: the machine is ${busyBefore} % busy before the load starts; other work will skew the figures`);
    const pki = join(dataDir, 'pki');
    const ctx: PhaseContext = {
      target: { port: server.port, rootCaPem: readFileSync(join(pki, PKI_FILES.rootCertificatePem), 'utf8') },
      url: `https://127.0.0.1:${server.port}`,
      databaseFile: config.databaseFile,
      signingCertificatePem: readFileSync(join(pki, PKI_FILES.signingCertificatePem), 'utf8'),
      connections: CONNECTIONS,
      durationSeconds: options.durationSeconds,
    };

    log(`baseline: GET /healthz, ${CONNECTIONS} connections, ${options.durationSeconds} s ...`);
    const running = server;
    const cpuOf = async <T>(phase: () => Promise<T>): Promise<{ result: T; cpuSeconds: number | null }> => {
      const before = running.cpuSeconds();
      const result = await phase();
      const after = running.cpuSeconds();
      return { result, cpuSeconds: before === null || after === null ? null : after - before };
    };
    const baselineRun = await cpuOf(() => runBaseline(ctx));
    const baseline = baselineRun.result;
    await warmUpAuthorize(ctx, seeded.devices);
    const count = presignCount(baseline.requestsPerSecond, options.durationSeconds, CONNECTIONS);
    const signStarted = performance.now();
    // Start past the warm-up's devices so the measured run begins with devices the server has not seen yet.
    const presigned = presignAuthorize(seeded.devices, count, WARMUP_REQUESTS);
    log(`pre-signed ${count} distinct AUTHORIZE requests in ${((performance.now() - signStarted) / 1000).toFixed(1)} s`);
    log(`AUTHORIZE: ${CONNECTIONS} connections, ${options.durationSeconds} s ...`);
    const authorizeRun = await cpuOf(() => runAuthorize(ctx, seeded.devices, presigned));
    const authorize = authorizeRun.result;
    log(`REGISTER: ${pending.length} new devices, ${REGISTER_CONNECTIONS} connections ...`);
    const registerRun = await cpuOf(() => runRegister(ctx, pending, seeded.tokenSecret, REGISTER_CONNECTIONS));
    const register = registerRun.result;

    const report = buildReport({
      settings: { devices: options.devices, durationSeconds: options.durationSeconds, connections: CONNECTIONS, officialRun, busyBeforePercent: busyBefore },
      seeding: { devices: seeded.devices.length, seconds: seeded.seconds, registerCsrSeconds },
      baseline, authorize, register,
      serverCpuSeconds: { baseline: baselineRun.cpuSeconds, authorize: authorizeRun.cpuSeconds, register: registerRun.cpuSeconds },
    });
    log(formatReport(report));
    log(`JSON report: ${writeReportJson(REPO_ROOT, report)}`);
  } finally {
    if (server) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
