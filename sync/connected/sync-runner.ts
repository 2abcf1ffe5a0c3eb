import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertService } from '../../licensing/alerts/alert-service.js';
import type { AlertSeverity } from '../../licensing/alerts/alert.js';
import { SYNC_CRITICAL_AFTER_MS, SYNC_WARNING_AFTER_MS } from '../../licensing/binding/satellite-binding-rules.js';
import { MS_PER_DAY, MS_PER_HOUR, type Clock } from '../../licensing/shared/clock.js';
import { ConflictError } from '../../licensing/shared/domain-error.js';
import type { UnitOfWork } from '../../licensing/shared/unit-of-work.js';
import { BundleRejectedError } from '../bundle/bundle-rejected-error.js';
import type { ImportResult } from '../import/response-importer.js';
import { SYNC_FAILURE_CLASSES, SyncFailure, type SyncFailureClass, type UpstreamClient } from './upstream-client.js';

export const SYNC_FAILED = 'SYNC_FAILED';
export const SYNC_OVERDUE = 'SYNC_OVERDUE';
export const UPSTREAM_CREDENTIAL_EXPIRING = 'UPSTREAM_CREDENTIAL_EXPIRING';
/** Sync alerts concern the satellite as a whole. */
export const SYNC_ALERT_TARGET = 'upstream';
export const CREDENTIAL_WARNING_MS = 30 * MS_PER_DAY;

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts per scheduled run, the first one included. */
  maxAttempts: number;
}
export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 60_000, maxDelayMs: MS_PER_HOUR, maxAttempts: 6 };

/** An upstream that turned the request down (or a conflict) will say the same again: only an operator can fix it. */
const RETRYABLE: ReadonlySet<SyncFailureClass> = new Set(['unreachable', 'server_error', 'garbage']);

export interface SyncRunnerDeps {
  uow: UnitOfWork;
  clock: Clock;
  alerts: Pick<AlertService, 'raiseExternal' | 'clearExternal'>;
  client: Pick<UpstreamClient, 'exchange'>;
  /** The request exporter (RequestExporter.exportRequestBundle) writing to a file. */
  exportRequest(outFile: string): Promise<void>;
  /** The one import path (ResponseImporter.importFile). */
  importResponse(file: string, actorId: string): Promise<ImportResult>;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Injected so tests observe the backoff instead of sleeping. */
  delay?: (ms: number) => Promise<void>;
  retry?: RetryPolicy;
  /** The schedule's next tick, recorded as nextRunAt after a run that will not retry. */
  nextScheduledRun?: () => number | null;
  tempDir?: string;
}

export type SyncRunOutcome =
  | { ok: true; attempts: number; result: ImportResult }
  | { ok: false; attempts: number; failureClass: SyncFailureClass; message: string };

/**
 * One connected sync = export a request, POST it, import the answer through the one import path (DESIGN
 * §5.1). Runs never overlap: a second caller gets a conflict while one is in flight (the retry waits
 * included). The outcome goes to sync_state and to the SYNC_FAILED alert; the overdue and credential
 * alerts are evaluated after every run and by the periodic check.
 */
export class SyncRunner {
  readonly #deps: SyncRunnerDeps;
  #running: Promise<SyncRunOutcome> | null = null;

  constructor(deps: SyncRunnerDeps) {
    this.#deps = deps;
  }

  /** The schedule starts after composition (server/main.ts); it tells the runner where to read the next tick. */
  setNextScheduledRun(source: () => number | null): void {
    this.#deps.nextScheduledRun = source;
  }

  get running(): boolean {
    return this.#running !== null;
  }

  /** "Sync now": a single attempt; ConflictError (409) while a run is in progress. */
  runNow(actorId = 'system'): Promise<SyncRunOutcome> {
    return this.#start(1, actorId);
  }

  /** A scheduled run: retries retryable failures with capped exponential backoff. */
  runScheduled(): Promise<SyncRunOutcome> {
    return this.#start((this.#deps.retry ?? defaultRetryPolicy).maxAttempts, 'scheduler');
  }

  #start(maxAttempts: number, actorId: string): Promise<SyncRunOutcome> {
    if (this.#running) throw new ConflictError('a sync run is already in progress', { reason: 'SYNC_RUNNING' });
    const target = this.#requireConnected();
    const run = this.#run(target, maxAttempts, actorId).finally(() => {
      this.#running = null;
    });
    this.#running = run;
    return run;
  }

  #requireConnected(): string {
    const binding = this.#deps.uow.read((repos) => repos.satelliteBinding.findBinding());
    if (!binding) throw new ConflictError('this satellite is not registered with an upstream yet', { reason: 'NOT_REGISTERED' });
    if (binding.mode !== 'connected' || !binding.upstreamUrl) {
      throw new ConflictError('connected sync needs mode "connected" and an upstream URL; export and import bundles by file instead', { reason: 'NOT_CONNECTED' });
    }
    return binding.upstreamUrl;
  }

  async #run(upstreamUrl: string, maxAttempts: number, actorId: string): Promise<SyncRunOutcome> {
    const policy = this.#deps.retry ?? defaultRetryPolicy;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#attempt(upstreamUrl, actorId);
      if (outcome.ok) {
        this.#recordSuccess();
        return { ok: true, attempts: attempt, result: outcome.result };
      }
      const retry = attempt < maxAttempts && RETRYABLE.has(outcome.failure.failureClass);
      const waitMs = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
      this.#recordFailure(outcome.failure, retry ? this.#deps.clock.now() + waitMs : null);
      if (!retry) return { ok: false, attempts: attempt, failureClass: outcome.failure.failureClass, message: outcome.failure.message };
      this.#deps.logger.info({ attempt, waitMs, failureClass: outcome.failure.failureClass }, 'sync failed; retrying');
      await (this.#deps.delay ?? sleep)(waitMs);
    }
  }

  async #attempt(upstreamUrl: string, actorId: string): Promise<{ ok: true; result: ImportResult } | { ok: false; failure: SyncFailure }> {
    this.#deps.uow.write((repos) => repos.satelliteBinding.saveSyncState({ ...repos.satelliteBinding.findSyncState(), lastAttemptAt: this.#deps.clock.now() }));
    const dir = await mkdtemp(join(this.#deps.tempDir ?? tmpdir(), 'satellite-sync-'));
    try {
      const requestFile = join(dir, 'request.zip');
      const responseFile = join(dir, 'response.zip');
      await this.#deps.exportRequest(requestFile);
      await this.#deps.client.exchange(upstreamUrl, requestFile, responseFile);
      try {
        return { ok: true, result: await this.#deps.importResponse(responseFile, actorId) };
      } catch (error) {
        // The upstream answered 2xx with something that is not a bundle we can trust: garbage, worth a retry.
        if (error instanceof BundleRejectedError) return { ok: false, failure: new SyncFailure('garbage', `${error.reason}: ${error.message}`) };
        throw error;
      }
    } catch (error) {
      if (error instanceof SyncFailure) return { ok: false, failure: error };
      // A refusal by our own import rules (address, sequence, apply) is not going to change on a retry.
      return { ok: false, failure: new SyncFailure('rejected', error instanceof Error ? error.message : String(error)) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  #recordSuccess(): void {
    const now = this.#deps.clock.now();
    // The importer already advanced the sequences in its own transaction: re-read before writing.
    this.#deps.uow.write((repos) => repos.satelliteBinding.saveSyncState({
      ...repos.satelliteBinding.findSyncState(), lastSuccessAt: now, lastError: null, lastErrorAt: null, consecutiveFailures: 0,
      nextRunAt: this.#deps.nextScheduledRun?.() ?? null,
    }));
    this.#deps.alerts.clearExternal(SYNC_FAILED, SYNC_ALERT_TARGET);
    this.evaluateAlerts();
    this.#deps.logger.info({}, 'sync completed');
  }

  #recordFailure(failure: SyncFailure, retryAt: number | null): void {
    const now = this.#deps.clock.now();
    this.#deps.uow.write((repos) => {
      const state = repos.satelliteBinding.findSyncState();
      repos.satelliteBinding.saveSyncState({
        ...state, lastErrorAt: now, lastError: formatSyncError(failure.failureClass, failure.message),
        consecutiveFailures: state.consecutiveFailures + 1, nextRunAt: retryAt ?? this.#deps.nextScheduledRun?.() ?? null,
      });
    });
    this.#deps.alerts.raiseExternal({
      messageType: SYNC_FAILED, severity: 'Minor', source: 'sync', target: SYNC_ALERT_TARGET,
      message: `Sync with the upstream failed (${failure.failureClass}): ${failure.message}`,
    });
    this.evaluateAlerts();
    this.#deps.logger.warn({ failureClass: failure.failureClass, status: failure.status }, `sync failed: ${failure.message}`);
  }

  /** Time-driven sync alerts: overdue (30/60 days) and an expiring upstream credential. Safe to call any time. */
  evaluateAlerts(): void {
    const now = this.#deps.clock.now();
    const { binding, state } = this.#deps.uow.read((repos) => ({ binding: repos.satelliteBinding.findBinding(), state: repos.satelliteBinding.findSyncState() }));
    if (!binding) {
      for (const type of [SYNC_FAILED, SYNC_OVERDUE, UPSTREAM_CREDENTIAL_EXPIRING]) this.#deps.alerts.clearExternal(type, SYNC_ALERT_TARGET);
      return;
    }
    // A satellite that never synced counts from the day it was bound.
    const age = now - (state.lastSuccessAt ?? binding.boundAt);
    const overdue: AlertSeverity | null = age >= SYNC_CRITICAL_AFTER_MS ? 'Major' : age >= SYNC_WARNING_AFTER_MS ? 'Minor' : null;
    if (overdue) {
      this.#deps.alerts.raiseExternal({
        messageType: SYNC_OVERDUE, severity: overdue, source: 'sync', target: SYNC_ALERT_TARGET,
        message: `No successful sync with upstream ${binding.upstreamId} for ${Math.floor(age / MS_PER_DAY)} days`,
      });
    } else this.#deps.alerts.clearExternal(SYNC_OVERDUE, SYNC_ALERT_TARGET);
    const left = binding.credentialExpiresAt - now;
    if (left <= CREDENTIAL_WARNING_MS) {
      this.#deps.alerts.raiseExternal({
        messageType: UPSTREAM_CREDENTIAL_EXPIRING, severity: left <= 0 ? 'Major' : 'Minor', source: 'sync', target: SYNC_ALERT_TARGET,
        message: left <= 0
          ? `The upstream credential expired on ${new Date(binding.credentialExpiresAt).toISOString()}; import a new registration file`
          : `The upstream credential expires in ${Math.ceil(left / MS_PER_DAY)} days; sync or import a new registration file`,
      });
    } else this.#deps.alerts.clearExternal(UPSTREAM_CREDENTIAL_EXPIRING, SYNC_ALERT_TARGET);
  }
}

/** sync_state keeps one error string; the class leads it so status can show it apart (parseSyncError). */
export function formatSyncError(failureClass: SyncFailureClass, message: string): string {
  return `${failureClass}: ${message}`;
}

export function parseSyncError(text: string | null): { failureClass: SyncFailureClass | null; message: string } | null {
  if (text === null) return null;
  const match = /^(unreachable|rejected|conflict|server_error|garbage): ([\s\S]*)$/.exec(text);
  const failureClass = match?.[1];
  if (!match || !failureClass || !isFailureClass(failureClass)) return { failureClass: null, message: text };
  return { failureClass, message: match[2] ?? '' };
}

const isFailureClass = (value: string): value is SyncFailureClass => SYNC_FAILURE_CLASSES.some((c) => c === value);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
