/** Replay protection and idempotent retries of device messages (DESIGN §4.3). */
export interface StoredDeviceResponse {
  messageId: string;
  requestDigest: string;
  /** The exact response envelope text that was sent. */
  response: string;
  createdAt: number;
}

export interface DeviceMessageRepository {
  findResponse(messageId: string): StoredDeviceResponse | undefined;
  saveResponse(stored: StoredDeviceResponse): void;
  /** Records a nonce in a scope; false when it was already seen. */
  rememberNonce(scope: string, nonce: string, seenAt: number): boolean;
  /** Forgets nonces and responses older than the cutoff; returns how many rows went. */
  prune(olderThan: number): number;
}
