import { parentPort } from 'node:worker_threads';
import { serveDeviceIntake, type DeviceIntakeThreadData, type IntakeAnswer, type IntakeJob } from '../../server/device/device-intake-thread.js';

/** The real device read worker, but one that exits (ending only its thread) as the first batch of jobs arrives. */
export function serveDyingDeviceIntake(data: DeviceIntakeThreadData): void {
  // Added before the real handler, so it runs first and the batch is never answered.
  parentPort?.on('message', () => process.exit(5));
  serveDeviceIntake(data);
}

/** A device read worker that answers every job as failed (a busy database, a bug), which the event loop redoes. */
export function serveFailingDeviceIntake(): void {
  const port = parentPort;
  port?.on('message', (jobs: IntakeJob[]) => {
    port.postMessage(jobs.map((job): IntakeAnswer => ({ id: job.id, failed: 'failing on purpose' })));
  });
  port?.postMessage({ ready: true });
}
