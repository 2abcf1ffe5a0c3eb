import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { createDeviceSignatureVerifier, type DeviceSignatureInput } from '../../licensing/pki/signature-verifier.js';
import { SIGNATURE_WORKER_SOURCE } from '../../licensing/pki/signature-worker-source.js';
import { DomainError } from '../../licensing/shared/domain-error.js';

/** Where device signatures are verified: on the event loop (inline) or on worker threads (the pool). */
export interface SignatureChecker {
  /** False for a signature that does not verify; rejects with UNAVAILABLE (HTTP 503) only on a server fault. */
  verify(input: DeviceSignatureInput): Promise<boolean>;
  close(): Promise<void>;
}

/** SATELLITE_CRYPTO_WORKERS=0: verify on the event loop, as before the pool. */
export class InlineSignatureChecker implements SignatureChecker {
  readonly #verify: (input: DeviceSignatureInput) => boolean;

  constructor(keyCacheSize: number) {
    this.#verify = createDeviceSignatureVerifier(keyCacheSize);
  }

  verify(input: DeviceSignatureInput): Promise<boolean> {
    return Promise.resolve(this.#verify(input));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface CryptoWorkerPoolOptions {
  size: number;
  /** Imported keys each worker keeps (SATELLITE_DEVICE_KEY_CACHE); 0 imports every key every time. */
  keyCacheSize: number;
  logger: Logger;
  /** The worker's code; tests pass a variant that crashes on purpose. */
  source?: string;
}

interface Job { id: number; der: Uint8Array; alg: string; payload: string; signature: string }
interface Waiter { resolve: (valid: boolean) => void; reject: (error: Error) => void }
interface Slot { worker: Worker; answered: boolean; queue: Job[]; waiting: Map<number, Waiter>; flushScheduled: boolean }

/** Workers in a row that die before answering anything: then the pool gives up on threads (see #watch). */
const MAX_DEATHS_BEFORE_ANSWERING = 3;

/**
 * Device key import and signature verification on worker threads (about 200-300 µs per request for a key
 * not in cache), so the event loop keeps only HTTP, SQLite and the response signature. A device's key always
 * goes to the same worker (chosen from its key bytes), so each worker's LRU holds its share of the fleet.
 * Jobs queued in one event-loop turn go to their worker in one message.
 *
 * A worker that dies is replaced at once; the jobs it held fail with UNAVAILABLE (503: a server fault the
 * device retries, never its SIGNATURE_INVALID), so no request waits forever. Workers that die before
 * answering anything, several in a row, make the pool verify inline instead. close() ends every worker.
 * Workers are unref'd: they never keep a process alive by themselves.
 */
export class CryptoWorkerPool implements SignatureChecker {
  readonly #options: CryptoWorkerPoolOptions;
  readonly #slots: Slot[];
  #nextId = 0;
  #closed = false;
  #deathsBeforeAnswering = 0;
  /** Set when workers cannot be kept alive: verification goes on, on the event loop. */
  #inline: InlineSignatureChecker | null = null;

  constructor(options: CryptoWorkerPoolOptions) {
    this.#options = options;
    this.#slots = Array.from({ length: Math.max(1, options.size) }, () => this.#newSlot());
  }

  get size(): number {
    return this.#slots.length;
  }

  verify(input: DeviceSignatureInput): Promise<boolean> {
    if (this.#closed) return Promise.reject(unavailable('the satellite is shutting down'));
    if (this.#inline) return this.#inline.verify(input);
    const slot = this.#slots[affinity(input.publicKeyDer) % this.#slots.length];
    if (slot === undefined) return Promise.reject(unavailable('no crypto worker'));
    const id = (this.#nextId = (this.#nextId + 1) % Number.MAX_SAFE_INTEGER);
    return new Promise<boolean>((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      // postMessage copies a view's whole ArrayBuffer: a key sliced from a pooled 8 KiB Buffer is copied alone.
      const der = input.publicKeyDer.byteLength === input.publicKeyDer.buffer.byteLength ? input.publicKeyDer : input.publicKeyDer.slice();
      slot.queue.push({ id, der, alg: input.algorithm, payload: input.payload, signature: input.signatureBase64 });
      if (!slot.flushScheduled) {
        slot.flushScheduled = true;
        setImmediate(() => this.#flush(slot));
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#slots.map(async (slot) => {
      this.#failAll(slot, 'the satellite is shutting down');
      await slot.worker.terminate();
    }));
  }

  #flush(slot: Slot): void {
    slot.flushScheduled = false;
    if (slot.queue.length === 0) return;
    const jobs = slot.queue;
    slot.queue = [];
    try {
      slot.worker.postMessage(jobs);
    } catch (error) {
      // A job that cannot be cloned is a bug, not the device's fault; nothing about it may hang.
      for (const job of jobs) {
        slot.waiting.get(job.id)?.reject(error instanceof Error ? error : new Error(String(error)));
        slot.waiting.delete(job.id);
      }
    }
  }

  #newSlot(): Slot {
    const slot: Slot = { worker: this.#startWorker(), answered: false, queue: [], waiting: new Map(), flushScheduled: false };
    this.#watch(slot);
    return slot;
  }

  #startWorker(): Worker {
    const worker = new Worker(this.#options.source ?? SIGNATURE_WORKER_SOURCE, {
      eval: true, workerData: { keyCacheSize: this.#options.keyCacheSize },
      // The parent's --import tsx or --cpu-prof mean nothing to this plain script.
      execArgv: [],
    });
    worker.unref();
    return worker;
  }

  #watch(slot: Slot): void {
    const worker = slot.worker;
    worker.on('message', (answers: Array<{ id: number; valid: boolean }>) => {
      slot.answered = true;
      this.#deathsBeforeAnswering = 0;
      for (const { id, valid } of answers) {
        slot.waiting.get(id)?.resolve(valid === true);
        slot.waiting.delete(id);
      }
    });
    worker.on('error', (error) => {
      this.#options.logger.error({ err: error }, 'a crypto worker failed');
    });
    worker.on('exit', (code) => {
      if (this.#closed || slot.worker !== worker) return;
      this.#failAll(slot, 'signature verification was interrupted (a crypto worker restarted); retry');
      this.#deathsBeforeAnswering = slot.answered ? 0 : this.#deathsBeforeAnswering + 1;
      // Workers that cannot even start (a broken runtime, no memory for threads) would be restarted in a
      // tight loop, each failing its jobs: after a few, verify on the event loop instead, as with 0 workers.
      if (this.#deathsBeforeAnswering >= MAX_DEATHS_BEFORE_ANSWERING) {
        this.#options.logger.error({ code }, 'crypto workers keep dying before answering; verifying device signatures on the event loop');
        this.#inline = new InlineSignatureChecker(this.#options.keyCacheSize);
        return;
      }
      this.#options.logger.warn({ code, inFlight: slot.waiting.size }, 'a crypto worker exited; starting a new one');
      slot.worker = this.#startWorker();
      slot.answered = false;
      this.#watch(slot);
    });
  }

  #failAll(slot: Slot, reason: string): void {
    const waiting = [...slot.waiting.values()];
    slot.waiting.clear();
    slot.queue = [];
    for (const waiter of waiting) waiter.reject(unavailable(reason));
  }
}

function unavailable(reason: string): DomainError {
  return new DomainError('UNAVAILABLE', reason);
}

/**
 * Two bytes near the end of an SPKI are key material, as good as random: the y coordinate of an EC point,
 * the modulus of an RSA key (whose last five bytes are the exponent, the same for every key).
 */
function affinity(der: Uint8Array): number {
  const n = der.length;
  return n < 7 ? 0 : ((der[n - 6] ?? 0) | ((der[n - 7] ?? 0) << 8));
}

/** SATELLITE_CRYPTO_WORKERS: 0 verifies inline, otherwise that many workers. */
export function createSignatureChecker(options: { workers: number; keyCacheSize: number; logger: Logger }): SignatureChecker {
  return options.workers <= 0
    ? new InlineSignatureChecker(options.keyCacheSize)
    : new CryptoWorkerPool({ size: options.workers, keyCacheSize: options.keyCacheSize, logger: options.logger });
}
