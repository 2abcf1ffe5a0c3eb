import type { InstanceReplay } from './instance-replay.js';

/** Replay protection and idempotent retries of device messages (DESIGN §4.3). */
export interface StoredDeviceResponse {
  messageId: string;
  requestDigest: string;
  /** The exact response envelope text that was sent. */
  response: string;
  createdAt: number;
}

/**
 * REGISTER messages (no instance yet) are remembered by message_id and by UDI for the replay window; the signed
 * messages of an instance in one bounded record per instance (instance-replay.ts).
 */
export interface DeviceMessageRepository {
  findResponse(messageId: string): StoredDeviceResponse | undefined;
  saveResponse(stored: StoredDeviceResponse): void;
  /** Records a nonce in a scope; false when it was already seen. */
  rememberNonce(scope: string, nonce: string, seenAt: number): boolean;
  /** Forgets nonces and responses older than the cutoff; returns how many rows went. */
  prune(olderThan: number): number;
  findInstanceReplay(instanceId: string): InstanceReplay | undefined;
  /** Creates or replaces the instance's record. */
  saveInstanceReplay(replay: InstanceReplay): void;
}
