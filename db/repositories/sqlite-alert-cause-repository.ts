import type { Alert } from '../../licensing/alerts/alert.js';
import type { AlertCauseRepository, ExpiringToken } from '../../licensing/alerts/alert-cause-repository.js';
import { instanceLabel, type PoolSubject, type RenewalSubject } from '../../licensing/alerts/alert-rules.js';
import type { SqliteDatabase } from '../sqlite-connection.js';
import { toAlert, type AlertRow } from './sqlite-alert-repository.js';
import { toToken, type TokenRow } from './sqlite-token-repository.js';

interface PoolRow {
  va_id: string; va_name: string; account_id: string; tag: string; requested: number; reserved: number;
  purchased: number; display_name: string | null;
}
interface TokenContextRow extends TokenRow { va_name: string; account_id: string }
interface RenewalRow {
  id: string; va_id: string; va_name: string; account_id: string; hostname: string | null; udi_pid: string;
  udi_serial_number: string; authorized_at: number | null; authorization_expires_at: number | null;
}

const ACTIVE_LINE = 'l.starts_at <= @now AND (l.ends_at IS NULL OR l.ends_at > @now)';

export class SqliteAlertCauseRepository implements AlertCauseRepository {
  readonly #pools;
  readonly #tokens;
  readonly #renewals;
  readonly #active;
  readonly #activeOfTypes;
  readonly #activeForTarget;

  constructor(db: SqliteDatabase) {
    // Only pools with something requested or reserved can be short, and pool_usage holds exactly those.
    this.#pools = db.prepare<{ now: number }, PoolRow>(`SELECT * FROM (
      SELECT pu.va_id, va.name AS va_name, va.account_id, pu.tag, pu.requested, pu.reserved,
        (SELECT COALESCE(SUM(l.quantity), 0) FROM license_lines l WHERE l.va_id = pu.va_id AND l.tag = pu.tag AND ${ACTIVE_LINE}) AS purchased,
        (SELECT l.display_name FROM license_lines l WHERE l.va_id = pu.va_id AND l.tag = pu.tag
          ORDER BY (${ACTIVE_LINE}) DESC, l.starts_at LIMIT 1) AS display_name
      FROM pool_usage pu JOIN virtual_accounts va ON va.id = pu.va_id
      WHERE pu.requested + pu.reserved > 0
    ) WHERE requested + reserved > purchased ORDER BY va_id, tag`);
    this.#tokens = db.prepare<{ now: number; until: number }, TokenContextRow>(`SELECT t.*, va.name AS va_name, va.account_id
      FROM registration_tokens t JOIN virtual_accounts va ON va.id = t.va_id
      WHERE t.revoked_at IS NULL AND t.expires_at > @now AND t.expires_at <= @until
        AND (t.max_uses IS NULL OR t.uses < t.max_uses)`);
    this.#renewals = db.prepare<{ before: number; now: number }, RenewalRow>(`SELECT pi.id, pi.va_id, va.name AS va_name,
        va.account_id, pi.hostname, pi.udi_pid, pi.udi_serial_number, pi.authorized_at, pi.authorization_expires_at
      FROM product_instances pi JOIN virtual_accounts va ON va.id = pi.va_id
      WHERE pi.registration_state = 'REGISTERED' AND pi.authorized_at IS NOT NULL
        AND (pi.authorized_at < @before OR pi.authorization_expires_at <= @now)`);
    this.#active = db.prepare<[string, string], AlertRow>(
      'SELECT * FROM alerts WHERE message_type = ? AND target = ? AND cleared_at IS NULL',
    );
    this.#activeOfTypes = db.prepare<[string], AlertRow>(
      'SELECT * FROM alerts WHERE cleared_at IS NULL AND message_type IN (SELECT value FROM json_each(?)) ORDER BY raised_at',
    );
    this.#activeForTarget = db.prepare<[string], AlertRow>(
      'SELECT * FROM alerts WHERE cleared_at IS NULL AND target = ? ORDER BY raised_at DESC',
    );
  }

  insufficientPools(now: number): PoolSubject[] {
    return this.#pools.all({ now }).map((row) => ({
      virtualAccountId: row.va_id, virtualAccountName: row.va_name, accountId: row.account_id, tag: row.tag,
      displayName: row.display_name, purchased: row.purchased, requested: row.requested, reserved: row.reserved,
    }));
  }

  tokensExpiringBy(now: number, until: number): ExpiringToken[] {
    return this.#tokens.all({ now, until }).map((row) => ({
      token: toToken(row), accountId: row.account_id, virtualAccountName: row.va_name,
    }));
  }

  renewalCandidates(authorizedBefore: number, now: number): RenewalSubject[] {
    return this.#renewals.all({ before: authorizedBefore, now }).map((row) => ({
      instanceId: row.id, virtualAccountId: row.va_id, virtualAccountName: row.va_name, accountId: row.account_id,
      label: instanceLabel({ hostname: row.hostname, udi: { pid: row.udi_pid, serialNumber: row.udi_serial_number } }),
      authorizedAt: row.authorized_at, authorizationExpiresAt: row.authorization_expires_at,
    }));
  }

  activeAlert(messageType: string, target: string): Alert | undefined {
    const row = this.#active.get(messageType, target);
    return row ? toAlert(row) : undefined;
  }

  activeAlertsOfTypes(messageTypes: readonly string[]): Alert[] {
    return this.#activeOfTypes.all(JSON.stringify(messageTypes)).map(toAlert);
  }

  activeAlertsForTarget(target: string): Alert[] {
    return this.#activeForTarget.all(target).map(toAlert);
  }
}
