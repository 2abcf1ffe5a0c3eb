import type { Migration } from './migration-list.js';

/**
 * Replay records of signed device messages kept per product instance, bounded (issue 13; docs/protocol.md §4,
 * docs/decisions.md). Until now every answered message left a stored response and a nonce row for 2 × the clock
 * skew + 1 h (49 h by default): a fleet of 1,000,000 devices reporting every 15 minutes would keep ~196M of each
 * (~300 GB), and every AUTHORIZE dirtied two random index pages (the message_id index, the nonce key) besides its
 * instance's. One row per instance now holds its last answer and its last nonces; REGISTER (no instance yet) keeps
 * using device_messages and device_nonces.
 * - `nonces`: JSON `[[timestamp, nonce], …]`, the newest last, at most 8 (licensing/device/instance-replay.ts).
 * - `nonce_watermark`: the newest message timestamp among the nonces no longer kept; a message dated at or before
 *   it is refused, so a forgotten nonce can never be accepted twice.
 * - `messages_answered`: how many messages of this instance were answered (a counter for operators and benches).
 * ON DELETE CASCADE: the record means nothing without its instance, whichever path deletes it.
 */
export const instanceReplaySchema: Migration = {
  version: 16,
  name: 'replay records per product instance: last answer and last nonces',
  sql: `
CREATE TABLE instance_replay (
  instance_id TEXT NOT NULL UNIQUE REFERENCES product_instances(id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  response TEXT NOT NULL,
  answered_at INTEGER NOT NULL,
  nonces TEXT NOT NULL CHECK (json_valid(nonces)),
  nonce_watermark INTEGER NOT NULL,
  messages_answered INTEGER NOT NULL CHECK (messages_answered > 0)
) STRICT;
`,
};
