import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { GC_KINDS, GcPauseWatch } from './gc-pause-watch.js';
import { EventLoopStallWatch } from './event-loop-stall-watch.js';

/** What the scrape-time gauges read. Each is a handful of aggregate queries, never a scan of every instance. */
export interface MetricsSources {
  /** (virtual account, tag) pools whose requests exceed what was purchased. */
  poolsShort(): number;
  alertsOpenByType(): ReadonlyArray<{ type: string; count: number }>;
  /** Epoch ms, or null when it never happened. */
  syncLastSuccessAt(): number | null;
  backupLastSuccessAt(): number | null;
  /** The database file and its WAL. */
  databaseBytes(): number;
  now(): number;
}

/** The labels of a device request; type is the message type (REGISTER, AUTHORIZE, ...) or UNKNOWN. */
export interface DeviceRequestLabels { transport: 'json' | 'callhome'; type: string; outcome: string }

/**
 * The satellite's Prometheus metrics (DESIGN §11), in a registry of its own: several apps in one process
 * (tests, embedders) each count their own requests. Ages of things that never happened are +Inf, so an
 * alert rule such as `satellite_backup_last_success_age_seconds > 86400` fires on a satellite never backed up.
 */
export class SatelliteMetrics {
  readonly registry = new Registry();
  readonly #deviceRequests: Counter<'transport' | 'type' | 'outcome'>;
  readonly #deviceDuration: Histogram<'transport' | 'type'>;
  readonly #adminRequests: Counter<'route' | 'status'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.#deviceRequests = new Counter({
      name: 'satellite_device_requests_total', help: 'Device protocol requests answered, by transport, message type and outcome.',
      labelNames: ['transport', 'type', 'outcome'], registers,
    });
    this.#deviceDuration = new Histogram({
      name: 'satellite_device_request_duration_seconds', help: 'Time from reading a device request to its signed answer.',
      labelNames: ['transport', 'type'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers,
    });
    this.#adminRequests = new Counter({
      name: 'satellite_admin_requests_total', help: 'Admin API requests, by route pattern and HTTP status.',
      labelNames: ['route', 'status'], registers,
    });
    new Gauge({
      name: 'satellite_pools_short', help: 'License pools (virtual account and tag) with more requested than purchased.', registers,
      collect() { this.set(sources.poolsShort()); },
    });
    new Gauge({
      name: 'satellite_alerts_open', help: 'Alerts raised and not cleared, by alert type.', labelNames: ['type'], registers,
      collect() {
        this.reset();
        for (const { type, count } of sources.alertsOpenByType()) this.set({ type }, count);
      },
    });
    new Gauge({
      name: 'satellite_sync_last_success_age_seconds', help: 'Seconds since the last successful sync with the upstream (+Inf: never).', registers,
      collect() { this.set(ageSeconds(sources.now(), sources.syncLastSuccessAt())); },
    });
    new Gauge({
      name: 'satellite_backup_last_success_age_seconds', help: 'Seconds since the last successful backup (+Inf: never).', registers,
      collect() { this.set(ageSeconds(sources.now(), sources.backupLastSuccessAt())); },
    });
    new Gauge({
      name: 'satellite_database_bytes', help: 'Size of the SQLite database file and its write-ahead log.', registers,
      collect() { this.set(sources.databaseBytes()); },
    });
    // Devices and the admin API share one event loop: whatever holds it delays every device answer by as much.
    const loopDelay = new Histogram({
      name: 'satellite_event_loop_delay_seconds', help: `How late the event loop ran a ${LOOP_TICK_MS} ms timer, sampled every tick.`,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    const stalls = new EventLoopStallWatch(LOOP_TICK_MS, (lateMs) => loopDelay.observe(lateMs / 1000));
    new Gauge({
      name: 'satellite_event_loop_stall_max_seconds', help: 'Longest event-loop stall since the previous scrape.', registers,
      collect() { this.set(stalls.takeMaxMs() / 1000); },
    });
    // Beside the stall: a stall that matches a major GC pause is the heap, not a query.
    const gcTotal = new Counter({
      name: 'satellite_gc_pause_seconds_total', help: 'Time the main thread spent in garbage-collection pauses, by kind.',
      labelNames: ['kind'], registers,
    });
    for (const kind of GC_KINDS) gcTotal.inc({ kind }, 0);
    const gc = new GcPauseWatch((kind, seconds) => gcTotal.inc({ kind }, seconds));
    new Gauge({
      name: 'satellite_gc_pause_max_seconds', help: 'Longest garbage-collection pause of the main thread since the previous scrape, by kind.',
      labelNames: ['kind'], registers,
      collect() {
        const max = gc.takeMaxSeconds();
        for (const kind of GC_KINDS) this.set({ kind }, max.get(kind) ?? 0);
      },
    });
  }

  observeDevice(labels: DeviceRequestLabels, seconds: number): void {
    this.#deviceRequests.inc(labels);
    this.#deviceDuration.observe({ transport: labels.transport, type: labels.type }, seconds);
  }

  /** `route` is the pattern ('/backend/api/v1/accounts/:accountName'), never the raw URL, to bound the label values. */
  observeAdmin(route: string, status: number): void {
    this.#adminRequests.inc({ route, status: String(status) });
  }

  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

/** Fine enough to see a 50 ms stall (the issue-13 goal), coarse enough to cost nothing (100 callbacks/s). */
const LOOP_TICK_MS = 10;

function ageSeconds(now: number, at: number | null): number {
  return at === null ? Infinity : Math.max(0, (now - at) / 1000);
}
