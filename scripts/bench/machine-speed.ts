import { generateKeyPairSync, sign } from 'node:crypto';

/** CPU µs per call of `work` in this process (all threads), after a warm-up of up to 200 calls. */
export function cpuMicrosPer(iterations: number, work: (i: number) => void): number {
  for (let i = 0; i < Math.min(200, iterations); i += 1) work(i);
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) work(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / iterations;
}

/** CPU µs of one ES256 sign in this process: a yardstick of the machine's speed at that moment. */
export function signYardstickMicros(): number {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const payload = Buffer.alloc(900, 120);
  return cpuMicrosPer(3_000, () => sign('sha256', payload, privateKey));
}

/** The yardstick before the server started and after it stopped. */
export interface MachineSpeed { beforeSignMicros: number; afterSignMicros: number }

/** Past this change between the start and the end of a size, its figures mix two speeds of machine. */
export const SPEED_DRIFT_WARNING = 0.1;

/**
 * A shared machine's speed can drift by a third within an hour (docs/performance.md, fourth session): the
 * floor measured mid-run follows it, absolute figures do not, so the report says when the yardstick moved.
 */
export function speedDrift(before: number, after: number): number {
  return before > 0 ? after / before - 1 : 0;
}
