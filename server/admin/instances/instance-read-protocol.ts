import type { InstanceFilter, InstanceQuery } from '../../../licensing/instances/instance-inventory-repository.js';
import type { CountMode } from '../../../licensing/instances/instance-query-service.js';
import { DomainError, type DomainErrorCode } from '../../../licensing/shared/domain-error.js';
import type { ListPaging } from './instance-schemas.js';

/**
 * Messages between the main thread and the instance read worker (instance-read-thread.ts). Everything is
 * structured-clone data. `now` is the main thread's injected clock at the call: the worker never reads its own.
 */
export type ReadRequest =
  | { id: number; kind: 'list'; query: InstanceQuery; count: CountMode; now: number }
  /** The same page as the list route's JSON, UTF-8 in a transferred buffer ({ bytes }). */
  | { id: number; kind: 'listJson'; query: InstanceQuery; count: CountMode; paging: ListPaging; now: number }
  | { id: number; kind: 'count'; filter: InstanceFilter; now: number }
  /** Opens an export (its own snapshot) and answers with its first chunk, as 'next' does. */
  | { id: number; kind: 'export'; query: InstanceQuery; now: number }
  /** The next chunk of the export opened by request `exportId`. */
  | { id: number; kind: 'next'; exportId: number }
  /** Ends the export `exportId` early: the walk stops and its snapshot closes before the answer. */
  | { id: number; kind: 'cancel'; exportId: number }
  | { id: number; kind: 'stats' }
  /** The compliance sweep's walks of every instance (licensing/alerts/sweep-scanner.ts), run here in chunks. */
  | { id: number; kind: 'lapsedAuthorizations'; now: number }
  | { id: number; kind: 'renewalCandidates'; authorizedBefore: number };

/** One piece of CSV text, UTF-8 in a buffer of its own (transferred, not copied); done when the export ended. */
export type ExportStep = { done: false; bytes: Uint8Array } | { done: true };

/** What the worker holds open: exports being walked and the snapshots they read. */
export interface ReadWorkerStats {
  openExports: number;
  openSnapshots: number;
}

export interface SerializedError {
  message: string;
  code: DomainErrorCode | null;
  details: Record<string, unknown> | null;
}

export type ReadAnswer =
  | { kind: 'ready' }
  | { kind: 'answer'; id: number; ok: true; value: unknown }
  | { kind: 'answer'; id: number; ok: false; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof DomainError) return { message: error.message, code: error.code, details: error.details ?? null };
  return { message: error instanceof Error ? error.message : String(error), code: null, details: null };
}

/** A domain error keeps its code (and so its HTTP status); anything else stays an internal error. */
export function deserializeError(error: SerializedError): Error {
  if (error.code === null) return new Error(`instance read worker: ${error.message}`);
  return new DomainError(error.code, error.message, error.details ?? undefined);
}
