import { benchUdi, newUnregisteredDevice } from './bench-devices.js';

/**
 * A child process of bench:scale that makes device keys and CSRs (@peculiar/x509 is pure JS, ~1.4 ms per CSR),
 * so they are made on the other core while the parent registers devices or signs requests.
 * Protocol (IPC): { id, prefix, from, count } in; { id, devices: SerializedDevice[] } out.
 */
export interface CsrJob { id: number; prefix: string; from: number; count: number }
export interface SerializedDevice { serial: string; pkcs8: string; csrPem: string }
export interface CsrAnswer { id: number; devices: SerializedDevice[] }

async function make(job: CsrJob): Promise<CsrAnswer> {
  const devices: SerializedDevice[] = [];
  const pending: Array<Promise<void>> = [];
  for (let i = job.from; i < job.from + job.count; i += 1) {
    // Key generation runs in libuv's pool; a few in flight keep it busy without holding thousands of promises.
    pending.push(newUnregisteredDevice(benchUdi(job.prefix, i)).then((d) => {
      devices.push({
        serial: d.udi.udi_serial_number, csrPem: d.csrPem,
        pkcs8: d.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      });
    }));
    if (pending.length >= 16) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  devices.sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
  return { id: job.id, devices };
}

process.on('message', (job: CsrJob) => {
  void make(job).then((answer) => process.send?.(answer), (error: unknown) => {
    process.stderr.write(`csr child failed: ${String(error)}\n`);
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
