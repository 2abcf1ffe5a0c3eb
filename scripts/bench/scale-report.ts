import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import type { RegisterFigures } from './bench-report.js';
import type { AdminCall, ExportFigures } from './scale-admin-load.js';
import { P99_GOAL_MS, type FixedRateRun, type LadderResult } from './scale-authorize.js';
import type { FloorFigures } from './scale-floor.js';
import { formatProfile, type ProfileSummary } from './scale-profile.js';
import { SPEED_DRIFT_WARNING, speedDrift, type MachineSpeed } from './machine-speed.js';
import { TIMELINE_SECONDS } from './paced-load.js';

export const SCALE_GOALS = { p99Ms: P99_GOAL_MS, cpuToFloor: 1.5, stallMs: 50, firstPageMs: 200 } as const;

export interface AdminFigures {
  authorize: FixedRateRun;
  calls: AdminCall[];
  export: ExportFigures;
  /** Longest event-loop stall the server reported over the phase; null when its /metrics has no such gauge. */
  stallMaxMs: number | null;
  /** Whether the admin work ended before the AUTHORIZE run did (otherwise part of it ran without device load). */
  adminInsideAuthorizeRun: boolean;
  /**
   * CPU seconds of the bench's own process over the export and the lists: the admin client that receives and
   * counts the 350 MB CSV (TLS and parsing) on the server's two cores, where a real admin's browser is elsewhere.
   */
  adminClientCpuSeconds: number;
}

export interface SizeResult {
  instances: number;
  realDevices: number;
  seed: { seconds: number; fromCache: boolean };
  /** From spawning `satellite serve` to its ready banner. */
  serverStartSeconds: number;
  keyCache: string;
  busyBeforePercent: number;
  /** CPU µs of one ES256 sign in the bench process before the server started and after it stopped. */
  speed: MachineSpeed | null;
  fixedRate: FixedRateRun;
  ladder: LadderResult | null;
  floor: FloorFigures | null;
  /** AUTHORIZE server CPU per request over the floor. */
  cpuToFloor: number | null;
  register: RegisterFigures | null;
  admin: AdminFigures | null;
  /** Why the admin phase ended early, when it did. */
  adminError: string | null;
  profile: ProfileSummary | null;
}

export interface Goal { name: string; target: string; actual: string; met: boolean }

export interface ScaleReport {
  generatedAt: string;
  machine: { cpus: number; model: string; node: string };
  settings: Record<string, unknown>;
  sizes: SizeResult[];
  goals: Goal[];
  allGoalsMet: boolean;
}

const num = (value: number, digits = 0): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number): string => `${num(value, value < 10 ? 1 : 0)} ms`;
const us = (value: number | null): string => (value === null ? 'n/a' : `${num(value)} µs`);

export function scaleGoals(sizes: SizeResult[]): Goal[] {
  const goals: Goal[] = [];
  for (const s of sizes) {
    const r = s.fixedRate;
    goals.push({
      name: `AUTHORIZE ${num(r.offeredRate)}/s for ${r.seconds} s at ${num(s.instances)} instances`,
      target: `p99 < ${SCALE_GOALS.p99Ms} ms, 0 errors, every answer OK + AUTHORIZED, rate held`,
      actual: `p99 ${ms(r.load.latencyMs.p99)}, ${r.load.errors + r.load.non2xx + r.load.timeouts} errors, `
        + `${num(r.grantedResponses)}/${num(r.load.completed)} granted, ${num(r.achievedRate)}/s`,
      met: r.held,
    });
  }
  const largest = sizes[sizes.length - 1];
  if (!largest) return goals;
  if (largest.cpuToFloor !== null) {
    goals.push({ name: `AUTHORIZE CPU / floor at ${num(largest.instances)}`, target: `<= ${SCALE_GOALS.cpuToFloor}`, actual: largest.cpuToFloor.toFixed(2), met: largest.cpuToFloor <= SCALE_GOALS.cpuToFloor });
  }
  const g = largest.register;
  if (g) {
    const clean = g.errors === 0 && g.non2xx === 0 && g.okResponses === g.count && g.instancesAdded === g.count;
    goals.push({ name: `REGISTER burst of ${num(g.count)} at ${num(largest.instances)}`, target: '0 errors, all registered', actual: `${num(g.okResponses)} OK, +${num(g.instancesAdded)}, ${g.errors + g.non2xx} errors`, met: clean });
  }
  if (largest.adminError !== null) goals.push({ name: 'admin phase', target: 'completes', actual: `failed: ${largest.adminError}`, met: false });
  const a = largest.admin;
  if (a) {
    goals.push({ name: 'AUTHORIZE p99 while admin lists and exports', target: `< ${SCALE_GOALS.p99Ms} ms, 0 errors`, actual: `${ms(a.authorize.load.latencyMs.p99)}, ${a.authorize.load.errors + a.authorize.load.non2xx} errors`, met: a.authorize.held });
    goals.push({ name: 'server event loop longest stall during admin', target: `< ${SCALE_GOALS.stallMs} ms`, actual: a.stallMaxMs === null ? 'not reported by this server' : ms(a.stallMaxMs), met: a.stallMaxMs !== null && a.stallMaxMs < SCALE_GOALS.stallMs });
    // Alone and while the export streams: a first page that waits behind the export is still a slow first page.
    const firsts = a.calls.filter((c) => c.name.startsWith('first page'));
    goals.push({
      name: 'admin first page (alone, and during the export)', target: `< ${SCALE_GOALS.firstPageMs} ms`,
      actual: firsts.length > 0 ? firsts.map((c) => ms(c.ms)).join(', ') : 'not run',
      met: firsts.length > 0 && firsts.every((c) => c.status === 200 && c.ms < SCALE_GOALS.firstPageMs),
    });
    const failed = a.calls.filter((c) => c.status !== 200);
    goals.push({ name: 'every admin request answered 200', target: 'all', actual: failed.length === 0 ? 'all' : `${failed.length} failed: ${failed.map((c) => `${c.name} (${c.error ?? c.status})`).join('; ')}`, met: failed.length === 0 });
    goals.push({ name: 'CSV export of every instance', target: 'rows = x-total-count', actual: `${num(a.export.rows)} of ${num(a.export.total)} in ${a.export.requests} request(s)`, met: a.export.complete });
  }
  return goals;
}

function runLine(label: string, r: FixedRateRun): string {
  return `${label.padEnd(28)} offered ${num(r.offeredRate).padStart(5)}/s achieved ${num(r.achievedRate).padStart(5)}/s  `
    + `p50 ${ms(r.load.latencyMs.p50).padStart(7)}  p99 ${ms(r.load.latencyMs.p99).padStart(7)}  max ${ms(r.load.latencyMs.max).padStart(8)}  `
    + `errors ${r.load.errors} non-2xx ${r.load.non2xx} timeouts ${r.load.timeouts}  CPU ${us(r.serverCpuMicrosPerRequest)}/req, main thread ${us(r.serverMainThreadMicrosPerRequest)} (generator ${us(r.load.clientCpuMicrosPerRequest)}, its longest stall ${ms(r.load.clientStallMs)})  `
    + `server stall ${r.serverStallMs === null ? 'n/a' : ms(r.serverStallMs)} (longest GC pause ${r.serverGcMaxMs === null ? 'n/a' : ms(r.serverGcMaxMs)})`;
}

/** Where the CPU beyond the event loop went: the worker threads and V8's, by thread. */
function threadsLine(r: FixedRateRun): string {
  const others = r.serverOtherThreadsMicrosPerRequest;
  const rest = others.slice(6).reduce((sum, v) => sum + v, 0);
  const main = r.serverMainThreadMicrosPerRequest;
  return `CPU by thread, µs/req: main ${main === null ? 'n/a' : num(main)}; the others, largest first: `
    + `${others.slice(0, 6).map((v) => num(v)).join(', ')}${others.length > 6 ? `; ${others.length - 6} more, ${num(rest)} together` : ''}`;
}

/** p99 by when requests were due: whether a queue built once and drained or grew all along. */
function timelineLine(r: FixedRateRun): string {
  return `p99 by ${TIMELINE_SECONDS} s of the run: ${r.load.timeline.map((b) => `${b.fromSecond} s ${ms(b.p99)}`).join(', ')}`;
}

function speedLine(speed: MachineSpeed): string {
  const drift = speedDrift(speed.beforeSignMicros, speed.afterSignMicros);
  const figures = `machine yardstick (one ES256 sign): ${speed.beforeSignMicros.toFixed(1)} µs before, ${speed.afterSignMicros.toFixed(1)} µs after`;
  return Math.abs(drift) > SPEED_DRIFT_WARNING
    ? `${figures}: warning, the machine's speed moved ${(drift * 100).toFixed(0)} % during this size; its figures mix two machines`
    : `${figures} (steady)`;
}

export function formatScaleReport(report: ScaleReport): string {
  const lines = ['', `License Satellite bench:scale: ${report.machine.cpus} CPU(s) ${report.machine.model}, Node ${report.machine.node}`];
  for (const s of report.sizes) {
    const r = s.fixedRate;
    lines.push('', `== ${num(s.instances)} product instances (${num(s.realDevices)} real devices; seed ${s.seed.fromCache ? 'from cache, made' : 'made'} in ${s.seed.seconds.toFixed(1)} s); machine ${s.busyBeforePercent} % busy before load`);
    lines.push(`   server ready banner after ${s.serverStartSeconds.toFixed(1)} s; key cache: ${s.keyCache}`);
    if (s.speed) lines.push(`   ${speedLine(s.speed)}`);
    lines.push(runLine('AUTHORIZE fixed rate', r));
    if (r.load.timeline.length > 0) lines.push(`   ${timelineLine(r)}`);
    if (r.serverOtherThreadsMicrosPerRequest.length > 0) lines.push(`   ${threadsLine(r)}`);
    lines.push(`   ${num(r.sent)} signed requests from ${num(r.distinctDevices)} distinct devices, ${num(r.grantedResponses)} OK + AUTHORIZED, `
      + `${num(r.processedInDatabase)} recorded; sample ${r.sample ? `${r.sample.verifiedOk}/${r.sample.sent} verified end to end` : 'not run'}`);
    for (const f of r.sample?.failures.slice(0, 5) ?? []) lines.push(`   sample failure: ${f}`);
    if (s.ladder) {
      // A ladder whose every step held stopped at its step limit, not at the server's: the rate is a lower bound.
      const bound = s.ladder.steps.every((st) => st.held) ? 'at least ' : '';
      lines.push(`   highest rate holding p99 < ${SCALE_GOALS.p99Ms} ms: ${bound}${num(s.ladder.highestHeldRate)}/s (${s.ladder.steps.length} steps: `
        + `${s.ladder.steps.map((st) => `${st.offeredRate}${st.held ? '✓' : '✗'} p99 ${st.p99Ms}ms`).join(', ')})`);
    }
    if (s.floor) {
      const f = s.floor;
      const bracket = f.totals.length > 1 ? ` (the mean of ${f.totals.map(us).join(' before and ')} after the run)` : '';
      lines.push(`   floor ${us(f.totalMicros)}${bracket}: bare Express 5 HTTPS POST ${us(f.expressHttpsMicros)} (${num(f.expressRequests)} req, ${f.requestBytes} B in / ${f.responseBytes} B out) `
        + `+ verify ${us(f.verifyMicros)} + sign ${us(f.signMicros)} + key import ${us(f.keyImportMicros)} (DER createPublicKey: ${us(f.derKeyImportMicros)}) + group-committed transaction ${us(f.transactionMicros)}`);
      lines.push(`   AUTHORIZE CPU / floor: ${s.cpuToFloor === null ? 'n/a' : s.cpuToFloor.toFixed(2)} (goal <= ${SCALE_GOALS.cpuToFloor})`);
    }
    if (s.register) {
      const g = s.register;
      lines.push(`REGISTER burst               ${num(g.count)} devices, ${g.connections} connections: ${g.seconds.toFixed(2)} s, ${num(g.requestsPerSecond)}/s, `
        + `p50 ${ms(g.latencyMs.p50)} p99 ${ms(g.latencyMs.p99)} max ${ms(g.latencyMs.max)}, ${num(g.okResponses)} OK, +${num(g.instancesAdded)}, errors ${g.errors} non-2xx ${g.non2xx}`);
    }
    if (s.admin) lines.push(...adminLines(s.admin));
    if (s.profile) lines.push(...formatProfile(s.profile, s.fixedRate.serverCpuMicrosPerRequest));
  }
  lines.push('', 'Goals:', ...report.goals.map((goal) => `  [${goal.met ? 'MET' : 'MISSED'}] ${goal.name}: ${goal.actual} (target ${goal.target})`), '');
  return lines.join('\n');
}

function adminLines(a: AdminFigures): string[] {
  return [
    runLine('AUTHORIZE during admin', a.authorize),
    `   server event loop longest stall: ${a.stallMaxMs === null ? 'n/a (no satellite_event_loop_stall_max_seconds)' : ms(a.stallMaxMs)}; `
      + `admin work ${a.adminInsideAuthorizeRun ? 'ended inside' : 'outlasted'} the AUTHORIZE run`,
    `   CSV export: ${num(a.export.rows)} of ${num(a.export.total)} rows in ${a.export.requests} request(s), ${a.export.seconds.toFixed(1)} s; `
      + `the admin client (the bench's process, on the same cores) used ${a.adminClientCpuSeconds.toFixed(1)} s of CPU for it and the lists`
      + `${a.export.chunks.length > 1 ? ` (the server caps one answer at ${num(a.export.chunks[0]?.rows ?? 0)} rows)` : ''}`,
    ...a.export.chunks.filter((c) => c.error).map((c) => `   export ${c.name} FAILED after ${ms(c.ms)}: ${c.error ?? ''}`),
    ...a.calls.map((c) => `   ${c.error ? 'ERR' : c.status} ${ms(c.ms).padStart(9)} (first byte ${ms(c.firstByteMs)})  ${c.name}`
      + `${c.error ? `: ${c.error}` : c.total !== null ? `: ${num(c.rows)} rows of ${num(c.total)}` : ''}`),
  ];
}

export function writeScaleJson(repoRoot: string, report: ScaleReport): string {
  const directory = join(repoRoot, '.bench');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, 'scale-bench.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export function machineInfo(): ScaleReport['machine'] {
  return { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version };
}
