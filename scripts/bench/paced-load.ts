import { Agent, request } from 'node:https';
import type { LoadResult } from './bench-load.js';
import type { TlsTarget } from './bench-verify.js';

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

export function runPaced(spec: PacedSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections, ca: spec.target.rootCaPem });
  const latencies = new Float64Array(spec.bodies.length);
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
  const started = performance.now();
  return new Promise<LoadResult>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const finish = (): void => {
      if (timer) clearInterval(timer);
      agent.destroy();
      const wall = (performance.now() - started) / 1000;
      const measured = Array.from(latencies.subarray(0, completed)).sort((a, b) => a - b);
      const at = (q: number): number => measured.length === 0 ? 0 : Math.round((measured[Math.min(measured.length - 1, Math.floor(q * measured.length))] ?? 0) * 10) / 10;
      const average = measured.length === 0 ? 0 : measured.reduce((s, v) => s + v, 0) / measured.length;
      resolve({
        requestsPerSecond: completed / Math.max(wall, 0.001), completed, seconds: wall,
        latencyMs: { average: Math.round(average * 10) / 10, p50: at(0.5), p99: at(0.99), max: Math.round((measured.at(-1) ?? 0) * 10) / 10 },
        ok2xx, non2xx, errors, timeouts,
      });
    };
    const settle = (): void => {
      settled += 1;
      if (settled === sent && (sent === spec.bodies.length || performance.now() - started >= maxMs)) finish();
    };
    const send = (index: number, due: number): void => {
      const body = spec.bodies[index] ?? '';
      const req = request({
        host: '127.0.0.1', port: spec.target.port, path: spec.path, method: 'POST', agent, timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          latencies[completed] = performance.now() - due;
          completed += 1;
          if (status >= 200 && status < 300) ok2xx += 1;
          else non2xx += 1;
          spec.onResponse?.(status, Buffer.concat(chunks).toString('utf8'));
          settle();
        });
        res.on('error', () => {
          errors += 1;
          settle();
        });
      });
      let timedOut = false;
      req.on('timeout', () => {
        timedOut = true;
        timeouts += 1;
        req.destroy(new Error('timeout'));
      });
      req.on('error', () => {
        if (!timedOut) errors += 1;
        settle();
      });
      req.end(body);
    };
    const tick = (): void => {
      const now = performance.now();
      const elapsed = now - started;
      if (elapsed >= maxMs) {
        if (timer) clearInterval(timer);
        timer = null;
        if (settled === sent) finish();
        return;
      }
      while (sent < spec.bodies.length && started + sent * intervalMs <= now) {
        const index = sent;
        sent += 1;
        send(index, started + index * intervalMs);
      }
      if (sent === spec.bodies.length && timer) {
        clearInterval(timer);
        timer = null;
      }
    };
    timer = setInterval(tick, TICK_MS);
    tick();
  });
}
