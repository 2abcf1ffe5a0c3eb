import { parentPort } from 'node:worker_threads';
import { openReadConnection } from '../../db/sqlite-read-connection.js';
import { SqliteUnitOfWork } from '../../db/sqlite-unit-of-work.js';
import { takeWith, toWire } from './device-intake.js';

export interface DeviceIntakeThreadData {
  databaseFile: string;
}

/** What the thread posts: once `{ ready: true }`, then one array of answers per batch of jobs it was sent. */
export type IntakeThreadMessage = { ready: true } | IntakeAnswer[];
export type IntakeAnswer = { id: number; intake: ReturnType<typeof toWire> } | { id: number; failed: string };
export interface IntakeJob { id: number; text: string }

/**
 * The device read worker's side (DeviceIntakeWorker starts it through launchModuleWorker): a read-only connection
 * of its own and the same takeWith as the event loop's inline intake, so the answers are the same. A job that
 * throws (a busy database, a bug) is answered `failed` and the event loop does it again inline.
 * The early read includes an AUTHORIZE's entitlements, which an unchanged report then takes from here (0019).
 */
export function serveDeviceIntake(data: DeviceIntakeThreadData): void {
  const port = parentPort;
  if (!port) throw new Error('serveDeviceIntake runs in a worker thread');
  const uow = new SqliteUnitOfWork(openReadConnection(data.databaseFile));
  port.on('message', (jobs: IntakeJob[]) => {
    const answers = jobs.map((job): IntakeAnswer => {
      try {
        return { id: job.id, intake: toWire(takeWith(uow, job.text)) };
      } catch (error) {
        return { id: job.id, failed: error instanceof Error ? error.message : String(error) };
      }
    });
    port.postMessage(answers satisfies IntakeThreadMessage);
  });
  port.postMessage({ ready: true } satisfies IntakeThreadMessage);
}
