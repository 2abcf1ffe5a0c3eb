import type { DeviceMessageRepository, StoredDeviceResponse } from '../../licensing/device/device-message-repository.js';
import type { InstanceReplay, RememberedNonce } from '../../licensing/device/instance-replay.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface ResponseRow { message_id: string; request_digest: string; response: string; created_at: number }
interface ReplayRow {
  instance_id: string; message_id: string; request_digest: string; response: string; answered_at: number;
  nonces: string; nonce_watermark: number; messages_answered: number;
}

export class SqliteDeviceMessageRepository implements DeviceMessageRepository {
  readonly #find;
  readonly #save;
  readonly #nonce;
  readonly #pruneResponses;
  readonly #pruneNonces;
  readonly #findReplay;
  readonly #saveReplay;

  constructor(db: SqliteDatabase) {
    this.#find = db.prepare<[string], ResponseRow>('SELECT * FROM device_messages WHERE message_id = ?');
    this.#save = db.prepare(
      'INSERT INTO device_messages (message_id, request_digest, response, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#nonce = db.prepare('INSERT OR IGNORE INTO device_nonces (scope, nonce, seen_at) VALUES (?, ?, ?)');
    this.#pruneResponses = db.prepare('DELETE FROM device_messages WHERE created_at < ?');
    this.#pruneNonces = db.prepare('DELETE FROM device_nonces WHERE seen_at < ?');
    this.#findReplay = db.prepare<[string], ReplayRow>('SELECT * FROM instance_replay WHERE instance_id = ?');
    // An update in place after the first message: one table page, the instance_id index only read.
    this.#saveReplay = db.prepare(`INSERT INTO instance_replay (instance_id, message_id, request_digest, response, answered_at,
        nonces, nonce_watermark, messages_answered)
      VALUES (@instance_id, @message_id, @request_digest, @response, @answered_at, @nonces, @nonce_watermark, @messages_answered)
      ON CONFLICT (instance_id) DO UPDATE SET message_id = excluded.message_id, request_digest = excluded.request_digest,
        response = excluded.response, answered_at = excluded.answered_at, nonces = excluded.nonces,
        nonce_watermark = excluded.nonce_watermark, messages_answered = excluded.messages_answered`);
  }

  findResponse(messageId: string): StoredDeviceResponse | undefined {
    const row = this.#find.get(messageId);
    return row
      ? { messageId: row.message_id, requestDigest: row.request_digest, response: row.response, createdAt: row.created_at }
      : undefined;
  }

  saveResponse(stored: StoredDeviceResponse): void {
    this.#save.run(stored.messageId, stored.requestDigest, stored.response, stored.createdAt);
  }

  rememberNonce(scope: string, nonce: string, seenAt: number): boolean {
    return this.#nonce.run(scope, nonce, seenAt).changes === 1;
  }

  prune(olderThan: number): number {
    return this.#pruneResponses.run(olderThan).changes + this.#pruneNonces.run(olderThan).changes;
  }

  findInstanceReplay(instanceId: string): InstanceReplay | undefined {
    const row = this.#findReplay.get(instanceId);
    if (!row) return undefined;
    const nonces = (JSON.parse(row.nonces) as Array<[number, string]>).map(([timestamp, nonce]): RememberedNonce => ({ timestamp, nonce }));
    return {
      instanceId: row.instance_id, messageId: row.message_id, requestDigest: row.request_digest, response: row.response,
      answeredAt: row.answered_at, nonces, nonceWatermark: row.nonce_watermark, messagesAnswered: row.messages_answered,
    };
  }

  saveInstanceReplay(replay: InstanceReplay): void {
    this.#saveReplay.run({
      instance_id: replay.instanceId, message_id: replay.messageId, request_digest: replay.requestDigest,
      response: replay.response, answered_at: replay.answeredAt,
      nonces: JSON.stringify(replay.nonces.map((n) => [n.timestamp, n.nonce])),
      nonce_watermark: replay.nonceWatermark, messages_answered: replay.messagesAnswered,
    });
  }
}
