import { createRequire } from 'node:module';

// autocannon ships no types and @types/autocannon is not a dependency; this is the slice the bench uses.
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: LoadRequest) => LoadRequest;
  onResponse?: (status: number, body: string) => void;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  amount?: number;
  duration?: number;
  overallRate?: number;
  timeout: number;
  requests: LoadRequest[];
}

export interface LatencyHistogram { average: number; p50: number; p99: number; max: number }

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  requests: { average: number; total: number; sent: number };
  latency: LatencyHistogram;
}

interface AutocannonTracker { stop(): void }

type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonTracker;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadResult {
  /** Completed requests per second, averaged over the run's 1 s samples (autocannon's figure). */
  requestsPerSecond: number;
  completed: number;
  seconds: number;
  latencyMs: LatencyHistogram;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface LoadSpec {
  url: string;
  connections: number;
  requests: LoadRequest[];
  /** Wall-clock length of the run; without it the run ends after `amount` requests. */
  durationSeconds?: number;
  /** Upper bound on requests sent, so a finite queue of one-shot requests is never overrun. */
  amount?: number;
  /** Requests per second offered over all connections (autocannon's overallRate); unlimited without it. */
  overallRate?: number;
}

/** One autocannon run; duration and amount may be combined: whichever ends first stops it. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise<LoadResult>((resolve, reject) => {
    let stopTimer: NodeJS.Timeout | undefined;
    const options: AutocannonOptions = {
      url: spec.url, connections: spec.connections, timeout: 30, requests: spec.requests,
      ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.durationSeconds ?? 10 }),
      ...(spec.overallRate !== undefined ? { overallRate: spec.overallRate } : {}),
    };
    const tracker = autocannon(options, (error, result) => {
      if (stopTimer) clearTimeout(stopTimer);
      if (error) {
        reject(error);
        return;
      }
      resolve({
        requestsPerSecond: result.requests.average,
        completed: result.requests.total,
        seconds: result.duration,
        latencyMs: { average: result.latency.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        ok2xx: result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
      });
    });
    // autocannon ignores duration once amount is set, so the wall-clock limit is enforced here.
    if (spec.amount !== undefined && spec.durationSeconds !== undefined) {
      stopTimer = setTimeout(() => tracker.stop(), spec.durationSeconds * 1000);
    }
  });
}

export interface OneShotFeeder {
  request: LoadRequest;
  /** How many bodies have been handed out so far, i.e. how many messages the server may have seen. */
  used(): number;
}

/**
 * Hands out each pre-built body exactly once. Should the queue ever run dry, the request goes to a path
 * that answers 404, so the shortfall shows up as non-2xx instead of as a replayed message.
 */
export function oneShotPost(path: string, bodies: string[], onResponse?: (status: number, body: string) => void): OneShotFeeder {
  let next = 0;
  const request: LoadRequest = {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    setupRequest: (built) => {
      const body = bodies[next];
      next += 1;
      if (body === undefined) return { ...built, path: '/bench-queue-exhausted', body: '{}' };
      return { ...built, body };
    },
    ...(onResponse ? { onResponse } : {}),
  };
  return { request, used: () => Math.min(next, bodies.length) };
}
