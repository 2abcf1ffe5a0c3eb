import { fork, type ChildProcess } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { benchUdi, type UnregisteredDevice } from './bench-devices.js';
import type { CsrAnswer, CsrJob, SerializedDevice } from './scale-csr-child.js';

const CHILD = fileURLToPath(new URL('./scale-csr-child.ts', import.meta.url));

/** Device keys and CSRs made by child processes (scale-csr-child.ts), so the parent's core stays free. */
export class CsrPool {
  readonly #children: ChildProcess[];
  readonly #waiting = new Map<number, { resolve: (devices: SerializedDevice[]) => void; reject: (error: Error) => void }>();
  #nextJob = 0;
  #nextChild = 0;

  constructor(size: number) {
    this.#children = Array.from({ length: Math.max(1, size) }, () => {
      const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (answer: CsrAnswer) => {
        const done = this.#waiting.get(answer.id);
        this.#waiting.delete(answer.id);
        done?.resolve(answer.devices);
      });
      child.on('exit', (code) => {
        if (code === 0) return;
        for (const waiting of this.#waiting.values()) waiting.reject(new Error(`a CSR child exited with code ${String(code)}`));
        this.#waiting.clear();
      });
      return child;
    });
  }

  /** `count` devices with serials benchUdi(prefix, from..from+count-1), split over the children. */
  async generate(prefix: string, from: number, count: number): Promise<UnregisteredDevice[]> {
    const share = Math.ceil(count / this.#children.length);
    const parts: Array<Promise<SerializedDevice[]>> = [];
    for (let start = from; start < from + count; start += share) {
      parts.push(this.#job(prefix, start, Math.min(share, from + count - start)));
    }
    const serialized = (await Promise.all(parts)).flat();
    const bySerial = new Map(serialized.map((d) => [d.serial, d]));
    return Array.from({ length: count }, (_, k) => {
      const udi = benchUdi(prefix, from + k);
      const made = bySerial.get(udi.udi_serial_number);
      if (!made) throw new Error(`the CSR child did not make ${udi.udi_serial_number}`);
      return { udi, csrPem: made.csrPem, privateKey: createPrivateKey({ key: Buffer.from(made.pkcs8, 'base64'), format: 'der', type: 'pkcs8' }) };
    });
  }

  close(): void {
    for (const child of this.#children) child.disconnect();
  }

  #job(prefix: string, from: number, count: number): Promise<SerializedDevice[]> {
    const job: CsrJob = { id: this.#nextJob, prefix, from, count };
    this.#nextJob += 1;
    const child = this.#children[this.#nextChild % this.#children.length];
    this.#nextChild += 1;
    if (!child) throw new Error('no CSR child');
    return new Promise((resolve, reject) => {
      this.#waiting.set(job.id, { resolve, reject });
      child.send(job);
    });
  }
}
