import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { RenewalSubject } from '../../../licensing/alerts/alert-rules.js';
import type { SweepScanner } from '../../../licensing/alerts/sweep-scanner.js';
import type { InstanceFilter, InstanceQuery } from '../../../licensing/instances/instance-inventory-repository.js';
import type { CountMode } from '../../../licensing/instances/instance-query-service.js';
import type { InstancePage } from '../../../licensing/instances/instance-views.js';
import type { Clock } from '../../../licensing/shared/clock.js';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import { launchModuleWorker, siblingModule } from '../../workers/module-worker-launcher.js';
import type { InstanceReader } from './instance-reader.js';
import type { ListPaging } from './instance-schemas.js';
import { deserializeError, type ExportStep, type ReadAnswer, type ReadRequest, type ReadWorkerStats } from './instance-read-protocol.js';

export interface InstanceReadWorkerOptions {
  /** The satellite's database file; the worker opens it read-only (never ':memory:'). */
  databaseFile: string;
  /** Its now() goes with every request: the worker never reads a clock of its own. */
  clock: Clock;
  logger: Logger;
  /** Where reads go when the worker cannot start: the inline reader. */
  fallback: InstanceReader;
  /** The worker's module and start function; tests pass a variant that dies on purpose. */
  entry?: { url: URL; exportName: string };
  /** The reader thread's nice value on Linux (instance-read-thread.ts); 10 when omitted. */
  nice?: number;
  /** Where the sweep's walks go when the worker cannot start; without one they fail with UNAVAILABLE then. */
  scanFallback?: SweepScanner;
}

interface Waiter { resolve: (value: unknown) => void; reject: (error: Error) => void }
interface Incarnation { worker: Worker; ready: Promise<boolean>; started: boolean; exited: boolean; waiting: Map<number, Waiter> }

/** A request before #send numbers it (distributed over the union, so each kind keeps its own fields). */
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;
type Request = WithoutId<ReadRequest>;

/**
 * The admin's product-instance lists, counts and CSV exports on a worker thread with its own read-only
 * connection (instance-read-thread.ts), so the CPU of walking a million rows and writing their CSV is not
 * spent on the event loop that answers devices. Exports are pulled a chunk at a time: the next chunk is asked
 * for only when the response has taken the last one, so a slow client holds one chunk in memory and a client
 * that goes away ends the walk, whose snapshot the worker closes before it answers the cancel.
 *
 * The worker starts on first use. One that dies fails the requests it held with UNAVAILABLE (503, "retry";
 * an export already streaming loses its connection, never ends short), and the next request starts a new
 * one. A worker that cannot start (no thread, no loader, no file) makes every read inline from then on,
 * logged once. Workers are unref'd; close() terminates the current one.
 */
export class InstanceReadWorker implements InstanceReader, SweepScanner {
  readonly #options: InstanceReadWorkerOptions;
  #current: Incarnation | null = null;
  #inline = false;
  #closed = false;
  #nextId = 0;

  constructor(options: InstanceReadWorkerOptions) {
    this.#options = options;
  }

  async list(query: InstanceQuery, count: CountMode = 'capped'): Promise<InstancePage> {
    const target = await this.#target();
    if (!target) return this.#options.fallback.list(query, count);
    return await this.#send(target, { kind: 'list', query, count, now: this.#options.clock.now() }) as InstancePage;
  }

  async listJson(query: InstanceQuery, count: CountMode, paging: ListPaging): Promise<string | Uint8Array> {
    const target = await this.#target();
    if (!target) return this.#options.fallback.listJson(query, count, paging);
    return (await this.#send(target, { kind: 'listJson', query, count, paging, now: this.#options.clock.now() }) as { bytes: Uint8Array }).bytes;
  }

  async count(filter: InstanceFilter): Promise<number> {
    const target = await this.#target();
    if (!target) return this.#options.fallback.count(filter);
    return await this.#send(target, { kind: 'count', filter, now: this.#options.clock.now() }) as number;
  }

  exportCsv(query: InstanceQuery): AsyncIterable<string | Uint8Array> {
    return this.#export(query);
  }

  async lapsedAuthorizationIds(now: number): Promise<string[]> {
    const target = await this.#target();
    if (!target) return this.#scanFallback().lapsedAuthorizationIds(now);
    return await this.#send(target, { kind: 'lapsedAuthorizations', now }) as string[];
  }

  async renewalCandidates(authorizedBefore: number): Promise<RenewalSubject[]> {
    const target = await this.#target();
    if (!target) return this.#scanFallback().renewalCandidates(authorizedBefore);
    return await this.#send(target, { kind: 'renewalCandidates', authorizedBefore }) as RenewalSubject[];
  }

  /** Starts the worker now rather than at the first read (its start, ~1 s under tsx, is not an admin's wait). */
  async warm(): Promise<void> {
    await this.#target().catch(() => undefined);
  }

  /** What the worker holds open; null while reads are inline or no worker runs. */
  async stats(): Promise<ReadWorkerStats | null> {
    const current = this.#current;
    if (!current || !(await current.ready)) return null;
    return await this.#send(current, { kind: 'stats' }) as ReadWorkerStats;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const current = this.#current;
    this.#current = null;
    if (!current) return;
    this.#failAll(current, 'the satellite is shutting down');
    await current.worker.terminate();
  }

  async *#export(query: InstanceQuery): AsyncGenerator<string | Uint8Array> {
    const target = await this.#target();
    if (!target) {
      yield* this.#options.fallback.exportCsv(query);
      return;
    }
    const exportId = this.#newId();
    let step = await this.#send(target, { kind: 'export', query, now: this.#options.clock.now() }, exportId) as ExportStep;
    try {
      while (!step.done) {
        yield Buffer.from(step.bytes.buffer, step.bytes.byteOffset, step.bytes.byteLength);
        step = await this.#send(target, { kind: 'next', exportId }) as ExportStep;
      }
    } finally {
      // Left early (the client went away, or a write failed): stop the walk and close its snapshot now,
      // not when the worker's connection ends. A worker that died has nothing left to stop.
      if (!step.done && !target.exited) await this.#send(target, { kind: 'cancel', exportId }).catch(() => undefined);
    }
  }

  #scanFallback(): SweepScanner {
    const fallback = this.#options.scanFallback;
    if (!fallback) throw new DomainError('UNAVAILABLE', 'the instance read worker cannot run and no inline sweep scanner was given');
    return fallback;
  }

  /** The running worker (started if none), or null when reads are inline. */
  async #target(): Promise<Incarnation | null> {
    if (this.#closed) throw new DomainError('UNAVAILABLE', 'the satellite is shutting down');
    if (!this.#inline && !this.#current) this.#current = this.#start();
    const current = this.#current;
    if (!current) return null;
    // Not ready means it exited first: then reads went inline, or (closing) the next call says so.
    return (await current.ready) ? current : this.#target();
  }

  #send(target: Incarnation, request: Request, id: number = this.#newId()): Promise<unknown> {
    if (target.exited) return Promise.reject(interrupted());
    return new Promise((resolve, reject) => {
      target.waiting.set(id, { resolve, reject });
      try {
        target.worker.postMessage({ ...request, id });
      } catch (error) {
        // A query that cannot be cloned is a bug, not the admin's fault; nothing about it may hang.
        target.waiting.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  #newId(): number {
    this.#nextId = (this.#nextId + 1) % Number.MAX_SAFE_INTEGER;
    return this.#nextId;
  }

  #start(): Incarnation | null {
    const entry = this.#options.entry ?? { url: siblingModule(import.meta.url, 'instance-read-thread'), exportName: 'serveInstanceReads' };
    const { logger } = this.#options;
    let worker: Worker;
    try {
      worker = launchModuleWorker(entry.url, entry.exportName, { databaseFile: this.#options.databaseFile, nice: this.#options.nice });
    } catch (error) {
      this.#goInline(error);
      return null;
    }
    const incarnation: Incarnation = { worker, ready: Promise.resolve(false), started: false, exited: false, waiting: new Map() };
    incarnation.ready = new Promise<boolean>((resolve) => {
      worker.on('message', (message: ReadAnswer) => {
        if (message.kind === 'ready') {
          incarnation.started = true;
          resolve(true);
          return;
        }
        const waiter = incarnation.waiting.get(message.id);
        if (!waiter) return;
        incarnation.waiting.delete(message.id);
        if (message.ok) waiter.resolve(message.value);
        else waiter.reject(deserializeError(message.error));
      });
      worker.on('error', (error) => {
        if (incarnation.started) logger.error({ err: error }, 'the instance read worker failed');
        else this.#goInline(error);
      });
      worker.on('exit', (code) => {
        incarnation.exited = true;
        resolve(false);
        if (this.#current === incarnation) this.#current = null;
        if (this.#closed) return;
        if (!incarnation.started) this.#goInline(new Error(`the instance read worker exited with code ${code} before it was ready`));
        else logger.warn({ code, inFlight: incarnation.waiting.size }, 'the instance read worker exited; the next read starts a new one');
        this.#failAll(incarnation, 'the instance read was interrupted (its worker stopped); retry');
      });
    });
    return incarnation;
  }

  /** Once: the reason is logged, and reads stay inline (as with SATELLITE_READ_WORKER=0) until restart. */
  #goInline(error: unknown): void {
    if (this.#inline) return;
    this.#inline = true;
    this.#options.logger.error({ err: error }, 'the instance read worker cannot start; admin instance reads run on the event loop');
  }

  #failAll(incarnation: Incarnation, reason: string): void {
    const waiting = [...incarnation.waiting.values()];
    incarnation.waiting.clear();
    for (const waiter of waiting) waiter.reject(new DomainError('UNAVAILABLE', reason));
  }
}

function interrupted(): DomainError {
  return new DomainError('UNAVAILABLE', 'the instance read was interrupted (its worker stopped); retry');
}
