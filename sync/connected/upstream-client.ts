import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** How a sync attempt failed; the class decides whether a retry makes sense and is shown to the operator. */
export type SyncFailureClass = 'unreachable' | 'rejected' | 'conflict' | 'server_error' | 'garbage';
export const SYNC_FAILURE_CLASSES: readonly SyncFailureClass[] = ['unreachable', 'rejected', 'conflict', 'server_error', 'garbage'];

export class SyncFailure extends Error {
  readonly failureClass: SyncFailureClass;
  /** The upstream's HTTP status, when it answered. */
  readonly status: number | null;
  constructor(failureClass: SyncFailureClass, message: string, status: number | null = null) {
    super(message);
    this.name = 'SyncFailure';
    this.failureClass = failureClass;
    this.status = status;
  }
}

export const UPSTREAM_SYNC_PATH = '/upstream/v1/sync';
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** An error answer is only read for its message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface UpstreamClientOptions {
  /** Logs offline/online transitions once each, not every failed attempt. */
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Whole exchange, upload and download included. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** PEM CA bundle trusted for the upstream's TLS certificate instead of the system store (private upstream CA). */
  caPem?: string;
}

/**
 * POSTs a request bundle to the upstream and streams its answer to a file (DESIGN §5.1). Only transport
 * is judged here: whether the answer is a valid bundle is the importer's call, which the runner maps to
 * 'garbage'.
 */
export class UpstreamClient {
  readonly #options: UpstreamClientOptions;
  /** null until the first attempt, so the first outcome is logged too. */
  #online: boolean | null = null;

  constructor(options: UpstreamClientOptions) {
    this.#options = options;
  }

  async exchange(upstreamUrl: string, requestFile: string, responseFile: string): Promise<void> {
    const url = new URL(UPSTREAM_SYNC_PATH, upstreamUrl.endsWith('/') ? upstreamUrl : `${upstreamUrl}/`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SyncFailure('rejected', `unsupported upstream URL scheme ${url.protocol}`);
    try {
      await this.#post(url, requestFile, responseFile);
      this.#transition(true, url);
    } catch (error) {
      const failure = error instanceof SyncFailure ? error : new SyncFailure('unreachable', describe(error));
      this.#transition(failure.failureClass !== 'unreachable', url, failure.message);
      throw failure;
    }
  }

  async #post(url: URL, requestFile: string, responseFile: string): Promise<void> {
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
    const signal = AbortSignal.timeout(timeoutMs);
    const { size } = await stat(requestFile);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, {
        method: 'POST', signal,
        headers: { 'content-type': 'application/zip', 'content-length': String(size), accept: 'application/zip, application/json' },
        ...(this.#options.caPem && url.protocol === 'https:' ? { ca: this.#options.caPem } : {}),
      }, resolve);
      req.once('error', (error) => reject(signal.aborted ? new SyncFailure('unreachable', `no answer within ${timeoutMs} ms`) : error));
      createReadStream(requestFile).once('error', (error) => req.destroy(error)).pipe(req);
    });
    const status = response.statusCode ?? 0;
    try {
      if (status >= 200 && status < 300) {
        await pipeline(response, capped(this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES), createWriteStream(responseFile, { mode: 0o600 }));
        return;
      }
      const message = await errorMessage(response);
      if (status === 409) throw new SyncFailure('conflict', message, status);
      if (status >= 400 && status < 500) throw new SyncFailure('rejected', message, status);
      throw new SyncFailure('server_error', message, status);
    } catch (error) {
      if (signal.aborted && !(error instanceof SyncFailure)) throw new SyncFailure('unreachable', `the answer did not complete within ${timeoutMs} ms`);
      throw error;
    }
  }

  #transition(online: boolean, url: URL, reason?: string): void {
    if (this.#online === online) return;
    const first = this.#online === null;
    this.#online = online;
    if (!online) this.#options.logger.warn({ upstream: url.origin, reason }, 'upstream is offline; sync will retry');
    else if (!first) this.#options.logger.info({ upstream: url.origin }, 'upstream is back online');
  }
}

function capped(limit: number): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > limit) done(new SyncFailure('garbage', `the upstream's answer is larger than ${limit} bytes`));
      else done(null, chunk);
    },
  });
}

/** The upstream's `{ error: { message } }`, else the start of the body, else the status line. */
async function errorMessage(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    if (length < MAX_ERROR_BODY_BYTES) chunks.push(buffer);
    length += buffer.length;
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY_BYTES);
  const prefix = `upstream answered ${response.statusCode ?? 0}`;
  try {
    const parsed: unknown = JSON.parse(text);
    const message = messageOf(parsed);
    if (message) return `${prefix}: ${message}`;
  } catch {
    // Not JSON: the raw text (trimmed) is the best message there is.
  }
  const trimmed = text.trim().slice(0, 500);
  return trimmed ? `${prefix}: ${trimmed}` : `${prefix} ${response.statusMessage ?? ''}`.trim();
}

function messageOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const error: unknown = 'error' in value ? value.error : value;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') return error.message;
  return null;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
    return `${code}${error.message}`;
  }
  return String(error);
}
