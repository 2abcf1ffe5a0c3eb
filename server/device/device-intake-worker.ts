import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DomainError } from '../../licensing/shared/domain-error.js';
import { launchModuleWorker, siblingModule } from '../workers/module-worker-launcher.js';
import { fromWire, type DeviceIntake, type IntakeResult } from './device-intake.js';
import type { IntakeJob, IntakeThreadMessage } from './device-intake-thread.js';

export interface DeviceIntakeWorkerOptions {
  /** The satellite's database file; the worker opens it read-only (never ':memory:'). */
  databaseFile: string;
  logger: Logger;
  /** Where requests go while no worker is ready, and again when one fails: the inline intake. */
  fallback: DeviceIntake;
  /** The worker's module and start function; tests pass a variant that dies on purpose. */
  entry?: { url: URL; exportName: string };
}

interface Pending { text: string; resolve: (result: IntakeResult) => void; reject: (error: Error) => void }
interface Incarnation { worker: Worker; ready: boolean; answered: boolean; queue: IntakeJob[]; waiting: Map<number, Pending>; flushScheduled: boolean }

/** Workers in a row that die before answering anything: then requests stay on the event loop. */
const MAX_DEATHS_BEFORE_ANSWERING = 3;

/**
 * Device requests parsed and read early (device-intake.ts) on a worker thread with its own read-only connection
 * (SATELLITE_DEVICE_READ_WORKER=1, a file database only; off by default, see config.ts). Both steps are pure reads
 * whose result the write transaction confirms by the instance's change stamp, so a worker that is not ready yet,
 * fails a job or dies costs nothing but time: those requests are taken inline, on the event loop, as with the
 * setting off. Jobs queued in one event-loop turn go to the worker in one message. Workers that die before answering anything,
 * several in a row, leave every request inline from then on (logged once). The worker is unref'd; close() ends it.
 */
export class DeviceIntakeWorker implements DeviceIntake {
  readonly #options: DeviceIntakeWorkerOptions;
  #current: Incarnation | null;
  #closed = false;
  #deathsBeforeAnswering = 0;
  #nextId = 0;

  constructor(options: DeviceIntakeWorkerOptions) {
    this.#options = options;
    this.#current = this.#start();
  }

  /** Whether requests go to the worker now (tests wait for it). */
  get ready(): boolean {
    return this.#current?.ready === true;
  }

  take(envelopeText: string): Promise<IntakeResult> {
    if (this.#closed) return Promise.reject(new DomainError('UNAVAILABLE', 'the satellite is shutting down'));
    const current = this.#current;
    if (!current?.ready) return this.#options.fallback.take(envelopeText);
    const id = (this.#nextId = (this.#nextId + 1) % Number.MAX_SAFE_INTEGER);
    return new Promise<IntakeResult>((resolve, reject) => {
      current.waiting.set(id, { text: envelopeText, resolve, reject });
      current.queue.push({ id, text: envelopeText });
      if (!current.flushScheduled) {
        current.flushScheduled = true;
        setImmediate(() => this.#flush(current));
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const current = this.#current;
    this.#current = null;
    if (!current) return;
    for (const pending of current.waiting.values()) pending.reject(new DomainError('UNAVAILABLE', 'the satellite is shutting down'));
    current.waiting.clear();
    await current.worker.terminate();
  }

  #flush(incarnation: Incarnation): void {
    incarnation.flushScheduled = false;
    const jobs = incarnation.queue;
    incarnation.queue = [];
    if (jobs.length > 0) incarnation.worker.postMessage(jobs);
  }

  #start(): Incarnation | null {
    const entry = this.#options.entry ?? { url: siblingModule(import.meta.url, 'device-intake-thread'), exportName: 'serveDeviceIntake' };
    let worker: Worker;
    try {
      worker = launchModuleWorker(entry.url, entry.exportName, { databaseFile: this.#options.databaseFile });
    } catch (error) {
      this.#options.logger.error({ err: error }, 'the device read worker cannot start; device requests are read on the event loop');
      return null;
    }
    const incarnation: Incarnation = { worker, ready: false, answered: false, queue: [], waiting: new Map(), flushScheduled: false };
    worker.on('message', (message: IntakeThreadMessage) => this.#receive(incarnation, message));
    worker.on('error', (error) => this.#options.logger.error({ err: error }, 'the device read worker failed'));
    worker.on('exit', (code) => this.#exited(incarnation, code));
    return incarnation;
  }

  #receive(incarnation: Incarnation, message: IntakeThreadMessage): void {
    if (!Array.isArray(message)) {
      incarnation.ready = true;
      return;
    }
    incarnation.answered = true;
    this.#deathsBeforeAnswering = 0;
    for (const answer of message) {
      const pending = incarnation.waiting.get(answer.id);
      if (!pending) continue;
      incarnation.waiting.delete(answer.id);
      if ('failed' in answer) {
        this.#options.logger.warn({ reason: answer.failed }, 'the device read worker failed a request; reading it on the event loop');
        this.#inline(pending);
      } else {
        try {
          pending.resolve(fromWire(answer.intake));
        } catch (error) {
          pending.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
  }

  #exited(incarnation: Incarnation, code: number): void {
    if (this.#closed || this.#current !== incarnation) return;
    // What it held was only read, never acted on: the event loop reads it again.
    for (const pending of incarnation.waiting.values()) this.#inline(pending);
    incarnation.waiting.clear();
    this.#deathsBeforeAnswering = incarnation.answered ? 0 : this.#deathsBeforeAnswering + 1;
    if (this.#deathsBeforeAnswering >= MAX_DEATHS_BEFORE_ANSWERING) {
      this.#options.logger.error({ code }, 'device read workers keep dying before answering; device requests are read on the event loop');
      this.#current = null;
      return;
    }
    this.#options.logger.warn({ code }, 'the device read worker exited; starting a new one');
    this.#current = this.#start();
  }

  #inline(pending: Pending): void {
    this.#options.fallback.take(pending.text).then(pending.resolve, pending.reject);
  }
}
