import { setPriority } from 'node:os';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { openReadConnection } from '../../../db/sqlite-read-connection.js';
import { SqliteUnitOfWork } from '../../../db/sqlite-unit-of-work.js';
import { ChunkedSweepScanner } from '../../../licensing/alerts/sweep-scanner.js';
import { InstanceQueryService } from '../../../licensing/instances/instance-query-service.js';
import type { UnitOfWork } from '../../../licensing/shared/unit-of-work.js';
import { instanceCsvChunks } from './instance-csv.js';
import { instanceListJson } from './instance-schemas.js';
import { serializeError, type ExportStep, type ReadAnswer, type ReadRequest, type ReadWorkerStats } from './instance-read-protocol.js';

/**
 * An export keeps this thread busy for a minute or more at 1M, on a machine whose cores also answer devices:
 * at 400 AUTHORIZE/s on 1M the export's CPU took the device path's share (p99 316 ms against 208 ms alone).
 * On Linux the nice value is per thread and setpriority(PRIO_PROCESS, 0) names the calling thread, so this
 * lowers only the reader; elsewhere it would lower the whole process, so it is left alone there.
 */
function yieldToDevices(nice: number): void {
  if (process.platform !== 'linux' || nice === 0) return;
  try {
    setPriority(nice);
  } catch {
    // Not permitted (a container may forbid it): the reader runs at the satellite's own priority.
  }
}

const READER_NICE = 10;

export interface InstanceReadThreadData {
  databaseFile: string;
  /** Linux nice value of this thread; READER_NICE when omitted. */
  nice?: number;
}

/**
 * The read worker's side (started by InstanceReadWorker through launchModuleWorker): its own read-only
 * connection to the satellite's database file, and the same InstanceQueryService the inline path uses, so
 * the answers are the same; only the thread doing the walking differs. Requests are served concurrently: a
 * walk still gives this thread's event loop back between windows, so a list is answered during an export.
 */
export function serveInstanceReads(data: InstanceReadThreadData): void {
  const port = parentPort;
  if (!port) throw new Error('serveInstanceReads runs in a worker thread');
  yieldToDevices(data.nice ?? READER_NICE);
  const db = openReadConnection(data.databaseFile);
  const stats: ReadWorkerStats = { openExports: 0, openSnapshots: 0 };
  const uow = countingSnapshots(new SqliteUnitOfWork(db), stats);
  const exports = new Map<number, AsyncGenerator<string>>();
  // Between chunks the thread's event loop turns, so a list asked for meanwhile is answered before the walk ends.
  const scanner = new ChunkedSweepScanner(uow, () => new Promise<void>((resolve) => {
    setImmediate(resolve);
  }));
  // A service per request: its clock is the main thread's "now" sent with that request.
  const service = (now: number): InstanceQueryService => new InstanceQueryService({ uow, clock: { now: () => now } });

  const step = async (exportId: number): Promise<ExportStep> => {
    const chunks = exports.get(exportId);
    if (!chunks) throw new Error(`no open export ${exportId}`);
    const next = await chunks.next();
    if (next.done === true) {
      finish(exportId);
      return { done: true };
    }
    return { done: false, bytes: ownBuffer(new TextEncoder().encode(next.value)) };
  };
  const finish = (exportId: number): void => {
    if (exports.delete(exportId)) stats.openExports -= 1;
  };

  const answer = async (request: ReadRequest): Promise<unknown> => {
    switch (request.kind) {
      case 'list': return service(request.now).list(request.query, request.count);
      case 'listJson': {
        const page = await service(request.now).list(request.query, request.count);
        return { bytes: ownBuffer(new TextEncoder().encode(instanceListJson(page, request.paging))) };
      }
      case 'count': return service(request.now).count(request.filter);
      case 'export':
        exports.set(request.id, instanceCsvChunks(service(request.now).exportRows(request.query)));
        stats.openExports += 1;
        return step(request.id);
      case 'next': return step(request.exportId);
      case 'cancel': {
        const chunks = exports.get(request.exportId);
        finish(request.exportId);
        // return() runs the walk's finally: its snapshot is closed before the main thread hears back.
        await chunks?.return(undefined);
        return null;
      }
      case 'stats': return { ...stats };
      case 'lapsedAuthorizations': return scanner.lapsedAuthorizationIds(request.now);
      case 'renewalCandidates': return scanner.renewalCandidates(request.authorizedBefore);
    }
  };

  port.on('message', (request: ReadRequest) => {
    answer(request).then((value) => {
      post(port, { kind: 'answer', id: request.id, ok: true, value });
    }, (error: unknown) => {
      if (request.kind === 'export' || request.kind === 'next') {
        finish(request.kind === 'export' ? request.id : request.exportId);
      }
      post(port, { kind: 'answer', id: request.id, ok: false, error: serializeError(error) });
    });
  });
  post(port, { kind: 'ready' });
}

function post(port: MessagePort, message: ReadAnswer): void {
  const value = message.kind === 'answer' && message.ok ? message.value : null;
  const bytes = isStepWithBytes(value) ? value.bytes : null;
  port.postMessage(message, bytes ? [bytes.buffer] : []);
}

/** An export step or a list page's JSON: both carry their bytes in a buffer of their own, transferred. */
function isStepWithBytes(value: unknown): value is { bytes: Uint8Array<ArrayBuffer> } {
  return typeof value === 'object' && value !== null && 'bytes' in value && value.bytes instanceof Uint8Array;
}

/** Transferring hands over the whole ArrayBuffer, so the chunk must be the only thing in it. */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? new Uint8Array(bytes.buffer) : new Uint8Array(bytes);
}

/** The unit of work as is, counting the snapshots open (stats: a cancelled export must leave none). */
function countingSnapshots(uow: UnitOfWork, stats: ReadWorkerStats): UnitOfWork {
  return {
    read: (work) => uow.read(work),
    write: (work) => uow.write(work),
    writeBatch: (works) => uow.writeBatch(works),
    openSnapshot: () => {
      const snapshot = uow.openSnapshot();
      if (!snapshot) return null;
      stats.openSnapshots += 1;
      let open = true;
      return {
        read: (work) => snapshot.read(work),
        close: () => {
          if (open) stats.openSnapshots -= 1;
          open = false;
          snapshot.close();
        },
      };
    },
  };
}
