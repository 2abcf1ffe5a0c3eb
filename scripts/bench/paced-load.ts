import type { LoadResult } from './bench-load.js';
import type { TlsTarget } from './bench-verify.js';
import { RawHttpsConnection } from './raw-https-connection.js';

/**
 * An open-loop load generator: request i is due at start + i / rate, whatever happened to the requests
 * before it, and its latency is measured from that due time (so time spent waiting for a free connection
 * counts, which is what a device would see: no coordinated omission).
 *
 * Why not autocannon's `overallRate` for the fixed-rate runs: it gives each connection a budget per
 * second, sends the budget back to back at the start of every second (setInterval 1000 in
 * lib/httpClient.js) and then idles, so all connections burst in step; and its coordinated-omission
 * correction takes the expected interval as ceil(1 / per-connection rate) = 1 ms, adding phantom samples
 * to every answer slower than 1 ms. Both make a p99 that describes the generator, not the server.
 * autocannon still drives the closed-loop phases (REGISTER burst, the floor's bare Express server).
 *
 * Requests go over kept-alive raw TLS connections (raw-https-connection.ts says why not node:https), and the
 * generator's own CPU per request is reported: it runs on the server's cores.
 */
export interface PacedSpec {
  target: TlsTarget;
  path: string;
  bodies: string[];
  rate: number;
  /** Sockets kept alive to the server; a request due while all are busy waits for one (and that wait counts). */
  connections: number;
  /** A request unanswered this long is a timeout. */
  timeoutMs?: number;
  /** Stop sending once this much wall time has passed (a server that falls behind makes the run longer). */
  maxSeconds?: number;
  onResponse?: (status: number, body: string) => void;
}

// How often the scheduler wakes to send what is due: 1 ms timers keep the spacing within about a millisecond.
const TICK_MS = 1;

/** The paced run's result, with what the generator itself cost (it shares the server's cores). */
export interface PacedResult extends LoadResult {
  /** The generator's own CPU (its whole process) per answered request, µs. */
  clientCpuMicrosPerRequest: number;
  /**
   * The generator's longest own stall (its 1 ms scheduler running late): requests due meanwhile went out late
   * and their latency counts from the due time, so a p99 near this figure describes the generator, not the server.
   */
  clientStallMs: number;
  /**
   * p99 and max of the requests due in each TIMELINE_SECONDS of the run: a queue that built once (a stall at
   * the start) and then drained looks different from one that grew all along (a server short of the rate).
   */
  timeline: TimelineBucket[];
}

export interface TimelineBucket { fromSecond: number; requests: number; p99: number; max: number }

export const TIMELINE_SECONDS = 10;

export async function runPaced(spec: PacedSpec): Promise<PacedResult> {
  const connections = Array.from({ length: spec.connections }, () => new RawHttpsConnection({ port: spec.target.port, ca: spec.target.rootCaPem }));
  // Connected before the clock starts: opened by the first requests, the 64 TLS handshakes were the first
  // second's work on both sides, and the queue they left (p99 565–899 ms in the first 10 s of a run on a slow
  // day) took the rest of the run to drain. A fleet's devices are not measured from before their connection
  // existed either. A connection that fails here is opened again by its first request, whose error counts.
  await Promise.all(connections.map((c) => c.open().catch(() => undefined)));
  const idle = [...connections];
  const waiting: number[] = [];
  // The connection's request and when it went out: a timeout counts from sending, not from the due time (a
  // request that waited for a free connection is late, which its latency says, not lost).
  const inFlight = new Map<RawHttpsConnection, number>();
  const latencies = new Float64Array(spec.bodies.length);
  const latencyByIndex = new Float64Array(spec.bodies.length).fill(Number.NaN);
  const intervalMs = 1000 / spec.rate;
  const timeoutMs = spec.timeoutMs ?? 30_000;
  const maxMs = (spec.maxSeconds ?? Infinity) * 1000;
  let sent = 0;
  let settled = 0;
  let completed = 0;
  let ok2xx = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let clientStallMs = 0;
  let lastTick = performance.now();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const dueAt = (index: number): number => started + index * intervalMs;
  return new Promise<PacedResult>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (timer) clearInterval(timer);
      for (const c of connections) c.close();
      const cpu = process.cpuUsage(cpuBefore);
      const wall = (performance.now() - started) / 1000;
      const measured = Array.from(latencies.subarray(0, completed)).sort((a, b) => a - b);
      const at = (q: number): number => measured.length === 0 ? 0 : Math.round((measured[Math.min(measured.length - 1, Math.floor(q * measured.length))] ?? 0) * 10) / 10;
      const average = measured.length === 0 ? 0 : measured.reduce((sum, v) => sum + v, 0) / measured.length;
      resolve({
        requestsPerSecond: completed / Math.max(wall, 0.001), completed, seconds: wall,
        latencyMs: { average: Math.round(average * 10) / 10, p50: at(0.5), p99: at(0.99), max: Math.round((measured.at(-1) ?? 0) * 10) / 10 },
        ok2xx, non2xx, errors, timeouts,
        clientCpuMicrosPerRequest: (cpu.user + cpu.system) / Math.max(1, completed),
        clientStallMs: Math.round(clientStallMs * 10) / 10,
        timeline: timelineOf(latencyByIndex, spec.rate),
      });
    };
    const stopped = (): boolean => performance.now() - started >= maxMs;
    const settle = (connection: RawHttpsConnection): void => {
      inFlight.delete(connection);
      settled += 1;
      const next = stopped() ? undefined : waiting.shift();
      if (next === undefined) idle.push(connection);
      else send(connection, next);
      if (settled === sent && waiting.length === 0 && (sent === spec.bodies.length || stopped())) finish();
    };
    const send = (connection: RawHttpsConnection, index: number): void => {
      inFlight.set(connection, performance.now());
      connection.post(spec.path, spec.bodies[index] ?? '', (error, response) => {
        if (error || !response) {
          if (error?.message !== 'timeout') errors += 1;
        } else {
          latencies[completed] = performance.now() - dueAt(index);
          latencyByIndex[index] = latencies[completed] ?? Number.NaN;
          completed += 1;
          if (response.status >= 200 && response.status < 300) ok2xx += 1;
          else non2xx += 1;
          spec.onResponse?.(response.status, response.body);
        }
        settle(connection);
      });
    };
    const tick = (): void => {
      const now = performance.now();
      clientStallMs = Math.max(clientStallMs, now - lastTick - TICK_MS);
      lastTick = now;
      // Timeouts are checked here rather than with a timer per request (a timer each costs the generator CPU).
      for (const [connection, sentAt] of inFlight) {
        if (now - sentAt > timeoutMs) {
          timeouts += 1;
          connection.abort(new Error('timeout'));
        }
      }
      if (now - started >= maxMs) {
        // Requests not yet on a connection are dropped: the run has missed its rate anyway.
        sent -= waiting.length;
        waiting.length = 0;
        if (settled === sent) finish();
        return;
      }
      while (sent < spec.bodies.length && dueAt(sent) <= now) {
        const index = sent;
        sent += 1;
        // First in, first out: every connection stays in use, so none idles past the server's keep-alive timeout.
        const connection = idle.shift();
        if (connection) send(connection, index);
        else waiting.push(index);
      }
      if (sent === spec.bodies.length && settled === sent) finish();
    };
    timer = setInterval(tick, TICK_MS);
    tick();
  });
}

/** The answered requests' latencies grouped by when they were due. */
function timelineOf(latencyByIndex: Float64Array, rate: number): TimelineBucket[] {
  const perBucket = Math.max(1, Math.round(rate * TIMELINE_SECONDS));
  const buckets: TimelineBucket[] = [];
  for (let from = 0; from < latencyByIndex.length; from += perBucket) {
    const answered = Array.from(latencyByIndex.subarray(from, from + perBucket)).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    if (answered.length === 0) continue;
    const round = (v: number): number => Math.round(v * 10) / 10;
    buckets.push({
      fromSecond: Math.round(from / rate), requests: answered.length,
      p99: round(answered[Math.min(answered.length - 1, Math.floor(0.99 * answered.length))] ?? 0), max: round(answered.at(-1) ?? 0),
    });
  }
  return buckets;
}
