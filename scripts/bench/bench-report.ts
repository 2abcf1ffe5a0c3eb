import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from './bench-load.js';
import type { SampleCheck } from './bench-verify.js';

/** The targets for this 2-core machine. */
export const GOALS = { authorizeRatioPercent: 40, authorizeP99Ms: 50, registerPerSecond: 300 } as const;

export interface AuthorizeFigures extends LoadResult {
  presigned: number;
  /** Bodies handed to autocannon, each a distinct message the server may have seen. */
  sent: number;
  /** 2xx answers whose signed payload said status OK and AUTHORIZED. */
  grantedResponses: number;
  /** Answered messages the database added during the run (bench-verify.ts): requests the satellite actually processed. */
  processedInDatabase: number;
  sample: SampleCheck;
}

export interface RegisterFigures {
  count: number;
  connections: number;
  /** OK answers divided by the time from the first request to the last answer. */
  requestsPerSecond: number;
  seconds: number;
  okResponses: number;
  non2xx: number;
  errors: number;
  latencyMs: LoadResult['latencyMs'];
  instancesAdded: number;
}

export interface BenchReport {
  generatedAt: string;
  machine: { cpus: number; model: string; node: string };
  settings: { devices: number; durationSeconds: number; connections: number; officialRun: boolean; busyBeforePercent: number };
  seeding: { devices: number; seconds: number; registerCsrSeconds: number };
  baseline: LoadResult;
  authorize: AuthorizeFigures;
  authorizeToBaselinePercent: number;
  register: RegisterFigures;
  /**
   * Server CPU per answered request in each phase, in µs; null without /proc. Unlike requests/s this hardly
   * moves when other work shares the machine, so it is the figure to compare between runs.
   */
  serverCpuMicrosPerRequest: { baseline: number | null; authorize: number | null; register: number | null };
  goals: Array<{ name: string; target: string; actual: string; met: boolean }>;
  allGoalsMet: boolean;
}

export interface ReportInput {
  settings: BenchReport['settings'];
  seeding: BenchReport['seeding'];
  baseline: LoadResult;
  authorize: AuthorizeFigures;
  register: RegisterFigures;
  serverCpuSeconds: { baseline: number | null; authorize: number | null; register: number | null };
}

const perRequestMicros = (cpuSeconds: number | null, requests: number): number | null =>
  cpuSeconds === null || requests <= 0 ? null : Math.round((cpuSeconds * 1e6) / requests);

export function buildReport(input: ReportInput): BenchReport {
  const ratio = input.baseline.requestsPerSecond > 0 ? (input.authorize.requestsPerSecond / input.baseline.requestsPerSecond) * 100 : 0;
  const authorizeClean = input.authorize.non2xx === 0 && input.authorize.errors === 0 && input.authorize.sample.failures.length === 0;
  const goals = [
    { name: 'AUTHORIZE rps vs baseline', target: `>= ${GOALS.authorizeRatioPercent} %`, actual: `${ratio.toFixed(1)} %`, met: ratio >= GOALS.authorizeRatioPercent },
    { name: 'AUTHORIZE p99 latency', target: `< ${GOALS.authorizeP99Ms} ms`, actual: `${input.authorize.latencyMs.p99} ms`, met: input.authorize.latencyMs.p99 < GOALS.authorizeP99Ms },
    { name: 'REGISTER throughput', target: `>= ${GOALS.registerPerSecond}/s`, actual: `${input.register.requestsPerSecond.toFixed(0)}/s`, met: input.register.requestsPerSecond >= GOALS.registerPerSecond },
    // Speed bought with failed requests would not count, so correctness is a goal of its own.
    { name: 'every request answered correctly', target: 'no errors', actual: authorizeClean && input.register.okResponses === input.register.count ? 'yes' : 'no', met: authorizeClean && input.register.okResponses === input.register.count },
  ];
  return {
    generatedAt: new Date().toISOString(),
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version },
    settings: input.settings, seeding: input.seeding, baseline: input.baseline, authorize: input.authorize,
    authorizeToBaselinePercent: Math.round(ratio * 10) / 10, register: input.register,
    serverCpuMicrosPerRequest: {
      baseline: perRequestMicros(input.serverCpuSeconds.baseline, input.baseline.completed),
      // Requests cut off at the end of the run were still processed, so count what the database recorded.
      authorize: perRequestMicros(input.serverCpuSeconds.authorize, input.authorize.processedInDatabase + input.authorize.sample.sent),
      register: perRequestMicros(input.serverCpuSeconds.register, input.register.okResponses),
    },
    goals, allGoalsMet: goals.every((g) => g.met),
  };
}

const num = (value: number, digits = 0): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function loadLine(label: string, r: LoadResult): string {
  return `${label.padEnd(11)} ${num(r.requestsPerSecond, 0).padStart(8)} req/s   p50 ${num(r.latencyMs.p50, 1).padStart(6)} ms   `
    + `p99 ${num(r.latencyMs.p99, 1).padStart(6)} ms   ${num(r.completed)} done in ${r.seconds} s, non-2xx ${r.non2xx}, errors ${r.errors}`;
}

export function formatReport(report: BenchReport): string {
  const { authorize: a, register: g } = report;
  const lines = [
    '',
    `License Satellite device bench: ${report.machine.cpus} CPU(s) ${report.machine.model}, Node ${report.machine.node}`,
    `  ${num(report.seeding.devices)} product instances seeded through REGISTER in ${report.seeding.seconds.toFixed(1)} s; `
      + `${num(g.count)} more REGISTER CSRs prepared in ${report.seeding.registerCsrSeconds.toFixed(1)} s`,
    `  ${report.settings.connections} connections, ${report.settings.durationSeconds} s per run${report.settings.officialRun ? '' : '  (SMOKE RUN: shorter than 15 s, not an official figure)'}; `
      + `machine ${report.settings.busyBeforePercent} % busy before the load`,
    '',
    loadLine('GET /healthz', report.baseline),
    loadLine('AUTHORIZE', a),
    `  AUTHORIZE / baseline: ${report.authorizeToBaselinePercent.toFixed(1)} %`,
    `  AUTHORIZE correctness: ${num(a.sent)} distinct signed requests sent `
      + `(${(a.sent / Math.max(report.settings.devices, 1)).toFixed(1)} per device; ${num(a.presigned)} pre-signed), `
      + `${num(a.grantedResponses)} answers OK + AUTHORIZED, ${num(a.processedInDatabase)} recorded in the database; `
      + `sample ${a.sample.verifiedOk}/${a.sample.sent} verified end to end`,
    ...a.sample.failures.slice(0, 5).map((f) => `    sample failure: ${f}`),
    `REGISTER    ${num(g.requestsPerSecond, 0).padStart(8)} req/s   p50 ${num(g.latencyMs.p50, 1).padStart(6)} ms   p99 ${num(g.latencyMs.p99, 1).padStart(6)} ms   `
      + `${num(g.okResponses)}/${num(g.count)} OK in ${g.seconds.toFixed(2)} s (${g.connections} connections), `
      + `+${num(g.instancesAdded)} registered instances, non-2xx ${g.non2xx}, errors ${g.errors}`,
    cpuLine(report.serverCpuMicrosPerRequest),
    '',
    'Goals:',
    ...report.goals.map((goal) => `  [${goal.met ? 'MET' : 'MISSED'}] ${goal.name}: ${goal.actual} (target ${goal.target})`),
    '',
  ];
  return lines.join('\n');
}

function cpuLine(cpu: BenchReport['serverCpuMicrosPerRequest']): string {
  const us = (value: number | null): string => (value === null ? 'n/a' : `${num(value)} µs`);
  const ratio = cpu.baseline !== null && cpu.authorize ? ` (healthz/AUTHORIZE ${((cpu.baseline / cpu.authorize) * 100).toFixed(1)} %)` : '';
  return `server CPU per request: healthz ${us(cpu.baseline)}, AUTHORIZE ${us(cpu.authorize)}${ratio}, REGISTER ${us(cpu.register)}`;
}

export function writeReportJson(repoRoot: string, report: BenchReport): string {
  const directory = join(repoRoot, '.bench');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, 'device-bench.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
