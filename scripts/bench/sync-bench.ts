import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

/**
 * `npm run bench:sync [-- --instances 1000000]` (issue 4 §4, issue 13 §4): a satellite with N product instances
 * (100,000 by default) and their usage, bound to a reference upstream whose orders give the bound VA 2,000 lines;
 * then the disconnected round trip (export the request, process it upstream, import the response): the first sync,
 * a full snapshot in parts. Then a few hundred instances change (--changed, --removed, --added) and the round trip
 * runs again: the incremental sync, which must carry only those. Every step runs in its own child process
 * (scripts/bench/sync-bench-step.ts) so its peak RSS is its own. Goals: each first-sync step under 60 s and 300 MB
 * at 1M, each incremental step under 5 s (and 300 MB).
 */

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STEP_SCRIPT = fileURLToPath(new URL('./sync-bench-step.ts', import.meta.url));
const GOAL_SECONDS = 60;
const GOAL_INCREMENTAL_SECONDS = 5;
const GOAL_RSS_MB = 300;

interface StepResult { step: string; seconds: number; cpu_seconds: number; max_rss_kib: number; details: Record<string, unknown>; process_seconds: number }

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

interface Options { instances: number; lines: number; changed: number; removed: number; added: number; keep: boolean }

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      instances: { type: 'string', default: '100000' },
      lines: { type: 'string', default: '2000' },
      changed: { type: 'string', default: '300' },
      removed: { type: 'string', default: '50' },
      added: { type: 'string', default: '50' },
      keep: { type: 'boolean', default: false },
    },
  });
  const positive = (name: string, text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
    return value;
  };
  return {
    instances: positive('instances', values.instances), lines: positive('lines', values.lines), changed: positive('changed', values.changed),
    removed: positive('removed', values.removed), added: positive('added', values.added), keep: values.keep,
  };
}

/**
 * `seconds` is the step's own work, timed inside the child (the goal); `cpu_seconds` its CPU time (user + system,
 * what the step costs whatever the neighbours do); `process_seconds` adds node + tsx start-up, timed here.
 */
async function runStep(args: string[]): Promise<StepResult> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', STEP_SCRIPT, ...args], {
    cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, SATELLITE_LOG_LEVEL: 'warn' },
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return { ...(JSON.parse(last) as Omit<StepResult, 'process_seconds'>), process_seconds: (performance.now() - started) / 1000 };
}

async function unzipTest(file: string): Promise<string> {
  try {
    const { stdout } = await run('unzip', ['-t', file], { maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim().split('\n').at(-1) ?? 'ok';
  } catch (error) {
    throw new Error(`unzip -t ${file} failed: ${(error as Error).message}`);
  }
}

const mb = (kib: number): number => Math.round((kib / 1024) * 10) / 10;
const pad = (text: string, width: number): string => text.padEnd(width);
const padLeft = (text: string, width: number): string => text.padStart(width);

interface StepRow { step: string; name: string; seconds: number; cpu_seconds: number; process_seconds: number; peak_rss_mb: number; bundle_bytes: number | null;
  goal_seconds: number; goal_met: boolean; details: Record<string, unknown> }

/** One round trip: export, process, import; each step a child process. */
async function roundTrip(label: string, dir: string, satDir: string, upDir: string, goalSeconds: number): Promise<{ rows: StepRow[]; unzip: string[] }> {
  const request = join(dir, `${label}-request.zip`);
  const response = join(dir, `${label}-response.zip`);
  const exported = await runStep(['export', satDir, request]);
  const requestCheck = await unzipTest(request);
  const processed = await runStep(['process', upDir, request, response]);
  const responseCheck = await unzipTest(response);
  const imported = await runStep(['import', satDir, response]);
  const rows = [
    { name: `${label}: export (satellite -> request.zip)`, result: exported, bytes: statSync(request).size },
    { name: `${label}: process (upstream -> response.zip)`, result: processed, bytes: statSync(response).size },
    { name: `${label}: import (response.zip -> satellite)`, result: imported, bytes: null },
  ].map(({ name, result, bytes }): StepRow => {
    const rssMb = mb(result.max_rss_kib);
    return {
      step: result.step, name, seconds: Math.round(result.seconds * 100) / 100, cpu_seconds: Math.round(result.cpu_seconds * 100) / 100,
      process_seconds: Math.round(result.process_seconds * 100) / 100,
      peak_rss_mb: rssMb, bundle_bytes: bytes, goal_seconds: goalSeconds, goal_met: result.seconds < goalSeconds && rssMb < GOAL_RSS_MB,
      details: result.details,
    };
  });
  return { rows, unzip: [`${label}-request.zip: ${requestCheck}`, `${label}-response.zip: ${responseCheck}`] };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'sync-bench-'));
  const satDir = join(dir, 'satellite');
  const upDir = join(dir, 'upstream');
  log(`sync bench: ${options.instances} product instances, ${options.lines} order lines; data in ${dir}`);
  try {
    const setup = await runStep(['setup', satDir, upDir, String(options.instances), String(options.lines)]);
    log(`setup: ${setup.seconds.toFixed(1)} s (seed ${Number(setup.details.seed_seconds).toFixed(1)} s), ${JSON.stringify(setup.details)}`);
    const baseline = await runStep(['baseline']);
    log(`baseline (node + tsx + modules loaded, no work): peak RSS ${mb(baseline.max_rss_kib).toFixed(1)} MB`);
    const first = await roundTrip('first', dir, satDir, upDir, GOAL_SECONDS);
    const heldAfterFirst = await runStep(['held', upDir]);
    const churn = await runStep(['churn', satDir, String(options.changed), String(options.removed), String(options.added)]);
    log(`churn: ${JSON.stringify(churn.details)} in ${churn.seconds.toFixed(2)} s`);
    const incremental = await roundTrip('incremental', dir, satDir, upDir, GOAL_INCREMENTAL_SECONDS);
    const heldAfterIncremental = await runStep(['held', upDir]);
    const steps = [...first.rows, ...incremental.rows];

    log('');
    log(`${pad('step', 46)}${padLeft('wall s', 9)}${padLeft('cpu s', 8)}${padLeft('+startup s', 12)}${padLeft('peak RSS MB', 13)}${padLeft('bundle KiB', 12)}  goal (s, <${GOAL_RSS_MB} MB)`);
    for (const s of steps) {
      log(`${pad(s.name, 46)}${padLeft(s.seconds.toFixed(2), 9)}${padLeft(s.cpu_seconds.toFixed(2), 8)}${padLeft(s.process_seconds.toFixed(2), 12)}${padLeft(s.peak_rss_mb.toFixed(1), 13)}`
        + `${padLeft(s.bundle_bytes === null ? '-' : (s.bundle_bytes / 1024).toFixed(0), 12)}  <${s.goal_seconds} s ${s.goal_met ? 'met' : 'MISSED'}`);
    }
    log('');
    for (const s of steps) {
      if (s.step === 'export') log(`${s.name}: ${JSON.stringify(s.details)}`);
      if (s.step === 'process') log(`${s.name}: ${JSON.stringify(s.details)}`);
      if (s.step === 'import') log(`${s.name}: ${JSON.stringify((s.details.result as { summary?: unknown } | undefined)?.summary ?? s.details)}`);
    }
    log(`upstream holds after the first sync: ${JSON.stringify(heldAfterFirst.details)}; after the incremental one: ${JSON.stringify(heldAfterIncremental.details)}`);
    for (const line of [...first.unzip, ...incremental.unzip]) log(`unzip -t ${line}`);
    const report = {
      date: new Date().toISOString(), node: process.version, cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
      memory_gb: Math.round(totalmem() / 1024 ** 3), instances: options.instances, order_lines: options.lines,
      churn: churn.details, goals: { first_seconds: GOAL_SECONDS, incremental_seconds: GOAL_INCREMENTAL_SECONDS, peak_rss_mb: GOAL_RSS_MB },
      setup, baseline_peak_rss_mb: mb(baseline.max_rss_kib), steps,
      held: { after_first: heldAfterFirst.details, after_incremental: heldAfterIncremental.details },
      unzip: [...first.unzip, ...incremental.unzip],
    };
    mkdirSync(join(REPO_ROOT, '.bench'), { recursive: true });
    writeFileSync(join(REPO_ROOT, '.bench', 'sync-bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    log('wrote .bench/sync-bench.json');
    if (!steps.every((s) => s.goal_met)) process.exitCode = 1;
  } finally {
    if (options.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
