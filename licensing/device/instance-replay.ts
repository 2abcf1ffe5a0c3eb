import { DeviceRequestError } from '../shared/domain-error.js';

/**
 * What a product instance's signed messages leave behind (db migration 0016, docs/protocol.md §4): the answer to
 * its latest message, for a retry that lost it, and its latest nonces. Bounded per instance, whatever the report
 * interval: a 49-hour record of every message does not fit a fleet of a million devices.
 */
export interface InstanceReplay {
  instanceId: string;
  messageId: string;
  requestDigest: string;
  /** The exact response envelope text that was sent. */
  response: string;
  answeredAt: number;
  /** In message-timestamp order, the newest last. */
  nonces: readonly RememberedNonce[];
  /** The newest message timestamp among the nonces no longer kept (0: none forgotten yet). */
  nonceWatermark: number;
  messagesAnswered: number;
}

export interface RememberedNonce { timestamp: number; nonce: string }

/** Nonces kept per instance: at a 15-minute report interval, two hours of messages. */
export const REMEMBERED_NONCES = 8;
/**
 * Messages sharing one timestamp are all kept (see admitNonce) up to this many; past it the oldest go and later
 * messages need a later timestamp. Only a fixed test clock gets there.
 */
export const SAME_INSTANT_NONCES = 256;

/**
 * Admits a message's nonce for an instance, or refuses it. A nonce is accepted once: either it is kept, or it
 * was forgotten, and then its message's timestamp is at or before the watermark, which is refused. The nonces
 * forgotten first are those of the oldest timestamps, and never one sharing the newest timestamp (below the
 * same-instant cap), so messages sent in the same millisecond, or under a fixed test clock, are not refused.
 * The price: a device whose clock went back past its last 8 messages is refused until it catches up (the
 * refusal says so).
 */
export function admitNonce(
  replay: InstanceReplay | undefined, nonce: string, timestamp: number,
): Pick<InstanceReplay, 'nonces' | 'nonceWatermark'> {
  const kept = replay?.nonces ?? [];
  let watermark = replay?.nonceWatermark ?? 0;
  if (kept.some((n) => n.nonce === nonce)) {
    throw new DeviceRequestError('REPLAY_DETECTED', 'nonce was already used by this product instance');
  }
  if (timestamp <= watermark) {
    throw new DeviceRequestError('REPLAY_DETECTED', `timestamp ${timestamp} is not after ${watermark}, the newest message `
      + 'whose nonce this satellite no longer keeps: send a new message with the current time');
  }
  // A stable sort: arrival order among equal timestamps.
  const nonces = [...kept, { timestamp, nonce }].sort((a, b) => a.timestamp - b.timestamp);
  const newest = nonces[nonces.length - 1]?.timestamp ?? timestamp;
  for (let oldest = nonces[0]; oldest && nonces.length > REMEMBERED_NONCES; oldest = nonces[0]) {
    if (oldest.timestamp === newest && nonces.length <= SAME_INSTANT_NONCES) break;
    nonces.shift();
    watermark = Math.max(watermark, oldest.timestamp);
  }
  return { nonces, nonceWatermark: watermark };
}

/**
 * The stored answer when `stored` answered `messageId` (an instance's latest message, or a REGISTER kept by
 * message_id); REPLAY_DETECTED when the payload differs.
 */
export function storedReply(
  stored: Pick<InstanceReplay, 'messageId' | 'requestDigest' | 'response'> | undefined, messageId: string, requestDigest: string,
): string | undefined {
  if (stored?.messageId !== messageId) return undefined;
  if (stored.requestDigest !== requestDigest) {
    throw new DeviceRequestError('REPLAY_DETECTED', `message_id ${messageId} was already used for a different message`);
  }
  return stored.response;
}
