import type { BenchDevice } from './bench-devices.js';
import { presignAuthorize } from './bench-phases.js';
import type { PacedResult } from './paced-load.js';
import { runPacedInProcess } from './paced-load-process.js';
import { databaseCounts, sampleAuthorize, type SampleCheck, type TlsTarget } from './bench-verify.js';
import { scrapePauses } from './scale-admin-load.js';

const OK_MARK = '\\"status\\":\\"OK\\"';
const AUTHORIZED_MARK = '\\"status\\":\\"AUTHORIZED\\"';
export const P99_GOAL_MS = 50;
/** A step only holds its rate when the server answered (almost) everything offered in the time. */
const HELD_RATE_SHARE = 0.95;
const SAMPLE_REQUESTS = 20;
const OVERRUN_LIMIT = 1.5;
const SETTLE_MS = 500;

export interface AuthorizeTarget {
  target: TlsTarget;
  url: string;
  databaseFile: string;
  signingCertificatePem: string;
  connections: number;
  serverCpuSeconds(): number | null;
  /**
   * CPU seconds by thread id (empty where /proc is not there). The main thread's id is serverPid: the event loop,
   * where every device request's TLS, HTTP, parse, transaction and signature run.
   */
  serverThreadCpuSeconds(): Map<number, number>;
  serverPid: number;
}

export interface FixedRateRun {
  offeredRate: number;
  seconds: number;
  /** Answers per second over the run's wall time. */
  achievedRate: number;
  load: PacedResult;
  sent: number;
  grantedResponses: number;
  processedInDatabase: number;
  serverCpuMicrosPerRequest: number | null;
  /** The main thread's part of it; the rest ran on worker threads (crypto, checkpoints, readers) and V8's own. */
  serverMainThreadMicrosPerRequest: number | null;
  /** The other threads' parts, largest first (those under 1 µs left out): the crypto and read workers lead. */
  serverOtherThreadsMicrosPerRequest: number[];
  /** Distinct devices that signed the run's requests, and whether any signed twice. */
  distinctDevices: number;
  sample: SampleCheck | null;
  /** Length of one answer, for the floor's fixed answer. */
  responseBytes: number;
  /** The server's longest event-loop stall during the run (its /metrics); null when it does not report one. */
  serverStallMs: number | null;
  /** The server's longest GC pause during the run (its /metrics); null when it does not report one. */
  serverGcMaxMs: number | null;
  held: boolean;
}

/** Rotates over the real devices across runs, so a device signs again only after all others have. */
export class DeviceCursor {
  #next = 0;
  constructor(readonly devices: readonly BenchDevice[]) {}
  presign(count: number): { bodies: string[]; distinct: number } {
    const bodies = presignAuthorize([...this.devices], count, this.#next);
    this.#next = (this.#next + count) % Math.max(1, this.devices.length);
    return { bodies, distinct: Math.min(count, this.devices.length) };
  }
}

export interface PresignedRun { bodies: string[]; distinct: number }

/** The signed requests of one run, made before it starts (signing 66,000 requests takes seconds of CPU). */
export function presignRun(t: AuthorizeTarget, cursor: DeviceCursor, rate: number, seconds: number): PresignedRun {
  return cursor.presign(Math.max(t.connections, Math.round(rate * seconds)));
}

/** AUTHORIZE at `rate` req/s for `seconds`, every answer checked; a sample verified end to end when asked. */
export async function fixedRateAuthorize(t: AuthorizeTarget, cursor: DeviceCursor, rate: number, seconds: number, verifySample: boolean,
  presigned?: PresignedRun): Promise<FixedRateRun> {
  const { bodies, distinct } = presigned ?? presignRun(t, cursor, rate, seconds);
  const amount = bodies.length;
  const ids = cursor.devices.map((d) => d.instanceId);
  const before = databaseCounts(t.databaseFile, ids).answeredMessages;
  // Starts the stall gauge's interval: the scrape after the run reads the longest stall within it.
  await scrapePauses(t.target).catch(() => null);
  const cpuBefore = t.serverCpuSeconds();
  const threadsBefore = t.serverThreadCpuSeconds();
  const started = performance.now();
  // Open loop, paced (paced-load.ts says why not autocannon's overallRate). The bodies bound the run; the rate makes
  // it last `seconds`. A server that falls behind would make it last longer, so sending stops at 1.5 x the time
  // (that run has missed its rate anyway).
  // In a process of its own (paced-load-child.ts says why), counting answers that are OK and AUTHORIZED.
  const load = await runPacedInProcess({
    target: t.target, path: '/SmartTransport', bodies, rate, connections: t.connections, maxSeconds: Math.ceil(seconds * OVERRUN_LIMIT),
  }, [OK_MARK, AUTHORIZED_MARK]);
  const granted = load.granted;
  const responseBytes = load.responseBytes;
  const sent = Math.min(amount, load.completed + load.errors + load.timeouts);
  const wall = (performance.now() - started) / 1000;
  // Requests cut off when a stopped run ended may still be committing; let them land before counting.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const cpuAfter = t.serverCpuSeconds();
  const threadsAfter = t.serverThreadCpuSeconds();
  // A server that drops connections (a stalled event loop) may drop the scrape too: then the stall is unknown.
  const pauses = await scrapePauses(t.target).catch(() => ({ stallMs: null, gcMaxMs: null }));
  const serverStallMs = pauses.stallMs;
  const processed = databaseCounts(t.databaseFile, ids).answeredMessages - before;
  const sample = verifySample ? await sampleAuthorize(t.target, t.signingCertificatePem, [...cursor.devices], SAMPLE_REQUESTS) : null;
  const achievedRate = load.completed / Math.max(wall, 0.001);
  // Every answer OK + AUTHORIZED, and nothing the server processed went unanswered (more rows than answers
  // is only allowed for the requests in flight when a stopped run ended).
  const clean = load.errors === 0 && load.non2xx === 0 && load.timeouts === 0 && granted === load.completed
    && processed >= load.completed && processed <= load.completed + t.connections;
  return {
    offeredRate: rate, seconds, achievedRate, load, sent, grantedResponses: granted, processedInDatabase: processed,
    serverCpuMicrosPerRequest: perRequest(cpuBefore, cpuAfter, processed),
    serverMainThreadMicrosPerRequest: perRequest(threadsBefore.get(t.serverPid) ?? null, threadsAfter.get(t.serverPid) ?? null, processed),
    serverOtherThreadsMicrosPerRequest: otherThreads(t.serverPid, threadsBefore, threadsAfter, processed),
    distinctDevices: distinct, sample, responseBytes, serverStallMs, serverGcMaxMs: pauses.gcMaxMs,
    held: clean && load.latencyMs.p99 < P99_GOAL_MS && achievedRate >= rate * HELD_RATE_SHARE && (sample === null || sample.failures.length === 0),
  };
}

function perRequest(before: number | null, after: number | null, requests: number): number | null {
  return before === null || after === null || requests <= 0 ? null : ((after - before) * 1e6) / requests;
}

/** A thread born during the run counts from zero; one that ended during it is not seen. */
function otherThreads(pid: number, before: Map<number, number>, after: Map<number, number>, requests: number): number[] {
  const parts: number[] = [];
  for (const [tid, seconds] of after) {
    const micros = tid === pid ? null : perRequest(before.get(tid) ?? 0, seconds, requests);
    if (micros !== null && micros >= 1) parts.push(micros);
  }
  return parts.sort((a, b) => b - a);
}

export interface LadderResult {
  /** The highest offered rate that held p99 < 50 ms with every answer correct; 0 when none did. */
  highestHeldRate: number;
  steps: Array<Pick<FixedRateRun, 'offeredRate' | 'achievedRate' | 'held' | 'serverCpuMicrosPerRequest' | 'serverStallMs'> & { p99Ms: number; errors: number }>;
}

/**
 * The highest rate holding p99 < 50 ms: from a known point, up by 15 % per step until a step fails (or down
 * by a third until one holds), then bisect between the last held and the first failed rate until they are
 * within 3 % or the steps run out.
 */
export async function ladderSearch(t: AuthorizeTarget, cursor: DeviceCursor, start: { rate: number; held: boolean }, stepSeconds: number,
  maxSteps: number, log: (line: string) => void): Promise<LadderResult> {
  const steps: LadderResult['steps'] = [];
  let held = start.held ? start.rate : 0;
  let failed = start.held ? Infinity : start.rate;
  const step = async (rate: number): Promise<boolean> => {
    const run = await fixedRateAuthorize(t, cursor, rate, stepSeconds, false);
    steps.push({
      offeredRate: rate, achievedRate: run.achievedRate, held: run.held, serverCpuMicrosPerRequest: run.serverCpuMicrosPerRequest, serverStallMs: run.serverStallMs,
      p99Ms: run.load.latencyMs.p99, errors: run.load.errors + run.load.non2xx + run.load.timeouts,
    });
    log(`  ladder ${rate}/s: achieved ${run.achievedRate.toFixed(0)}/s, p99 ${run.load.latencyMs.p99} ms, server stall ${run.serverStallMs?.toFixed(0) ?? 'n/a'} ms (GC ${run.serverGcMaxMs?.toFixed(0) ?? 'n/a'} ms), generator stall ${run.load.clientStallMs.toFixed(0)} ms, `
      + `errors ${run.load.errors + run.load.non2xx + run.load.timeouts} -> ${run.held ? 'held' : 'missed'}`);
    return run.held;
  };
  while (steps.length < maxSteps) {
    if (failed === Infinity) {
      const rate = Math.round(held * 1.15);
      if (await step(rate)) held = rate;
      else failed = rate;
    } else if (held === 0) {
      // Down in bigger steps: a rate the server cannot hold wastes a whole step.
      const rate = Math.round(failed / 1.5);
      if (rate < 20) break;
      if (await step(rate)) held = rate;
      else failed = rate;
    } else {
      if (failed - held <= Math.max(10, held * 0.03)) break;
      const rate = Math.round((held + failed) / 2);
      if (await step(rate)) held = rate;
      else failed = rate;
    }
  }
  return { highestHeldRate: held, steps };
}
