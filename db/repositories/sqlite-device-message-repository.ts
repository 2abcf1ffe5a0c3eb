import type { DeviceMessageRepository, StoredDeviceResponse } from '../../licensing/device/device-message-repository.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface ResponseRow { message_id: string; request_digest: string; response: string; created_at: number }

export class SqliteDeviceMessageRepository implements DeviceMessageRepository {
  readonly #find;
  readonly #save;
  readonly #nonce;
  readonly #pruneResponses;
  readonly #pruneNonces;

  constructor(db: SqliteDatabase) {
    this.#find = db.prepare<[string], ResponseRow>('SELECT * FROM device_messages WHERE message_id = ?');
    this.#save = db.prepare(
      'INSERT INTO device_messages (message_id, request_digest, response, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#nonce = db.prepare('INSERT OR IGNORE INTO device_nonces (scope, nonce, seen_at) VALUES (?, ?, ?)');
    this.#pruneResponses = db.prepare('DELETE FROM device_messages WHERE created_at < ?');
    this.#pruneNonces = db.prepare('DELETE FROM device_nonces WHERE seen_at < ?');
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
}
