import type { Alert, AlertSeverity } from '../../licensing/alerts/alert.js';
import type { AlertRepository } from '../../licensing/alerts/alert-repository.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

export interface AlertRow {
  id: string; severity: string; message_type: string; source: string; target: string; message: string;
  account_id: string | null; va_id: string | null; raised_at: number; cleared_at: number | null;
}

export const toAlert = (row: AlertRow): Alert => ({
  id: row.id,
  severity: row.severity as AlertSeverity,
  messageType: row.message_type,
  source: row.source,
  target: row.target,
  message: row.message,
  accountId: row.account_id,
  virtualAccountId: row.va_id,
  raisedAt: row.raised_at,
  clearedAt: row.cleared_at,
});

export class SqliteAlertRepository implements AlertRepository {
  readonly #active;
  readonly #insert;
  readonly #clear;
  readonly #listAll;
  readonly #listAccount;
  readonly #countByType;

  constructor(db: SqliteDatabase) {
    this.#active = db.prepare<[string, string], AlertRow>(
      'SELECT * FROM alerts WHERE message_type = ? AND target = ? AND cleared_at IS NULL',
    );
    this.#insert = db.prepare(`INSERT INTO alerts (id, severity, message_type, source, target, message, account_id, va_id,
      raised_at, cleared_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`);
    this.#clear = db.prepare('UPDATE alerts SET cleared_at = ? WHERE message_type = ? AND target = ? AND cleared_at IS NULL');
    this.#countByType = db.prepare<[], { type: string; count: number }>(
      'SELECT message_type AS type, COUNT(*) AS count FROM alerts WHERE cleared_at IS NULL GROUP BY message_type ORDER BY message_type',
    );
    this.#listAll = db.prepare<[], AlertRow>('SELECT * FROM alerts WHERE cleared_at IS NULL ORDER BY raised_at DESC');
    this.#listAccount = db.prepare<[string], AlertRow>(
      'SELECT * FROM alerts WHERE cleared_at IS NULL AND account_id = ? ORDER BY raised_at DESC',
    );
  }

  raise(alert: Alert): Alert {
    const existing = this.#active.get(alert.messageType, alert.target);
    if (existing) return toAlert(existing);
    this.#insert.run(alert.id, alert.severity, alert.messageType, alert.source, alert.target, alert.message,
      alert.accountId, alert.virtualAccountId, alert.raisedAt);
    return alert;
  }

  clear(messageType: string, target: string, at: number): number {
    return this.#clear.run(at, messageType, target).changes;
  }

  listActive(accountId?: string): Alert[] {
    return (accountId === undefined ? this.#listAll.all() : this.#listAccount.all(accountId)).map(toAlert);
  }

  countActiveByType(): Array<{ type: string; count: number }> {
    return this.#countByType.all();
  }
}
