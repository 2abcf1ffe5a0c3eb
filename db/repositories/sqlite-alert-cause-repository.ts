import type { Alert } from '../../licensing/alerts/alert.js';
import type { AlertCauseRepository, ExpiringToken } from '../../licensing/alerts/alert-cause-repository.js';
import { instanceLabel, type RenewalSubject } from '../../licensing/alerts/alert-rules.js';
import type { InstanceSubject } from '../../licensing/alerts/license-alert-rules.js';
import type { ProductInstance } from '../../licensing/instances/product-instance.js';
import type { SqliteDatabase } from '../sqlite-connection.js';
import { toAlert, type AlertRow } from './sqlite-alert-repository.js';
import { toInstance, type InstanceRow } from './sqlite-product-instance-repository.js';
import { toToken, type TokenRow } from './sqlite-token-repository.js';

interface TokenContextRow extends TokenRow { va_name: string; account_id: string }
interface RenewalRow {
  id: string; va_id: string; va_name: string; account_id: string; hostname: string | null; udi_pid: string;
  udi_serial_number: string; authorized_at: number | null; authorization_expires_at: number | null;
}
interface StateRow {
  id: string; va_id: string; va_name: string; account_id: string; hostname: string | null; udi_pid: string;
  udi_serial_number: string; authorization_state: string;
}

export class SqliteAlertCauseRepository implements AlertCauseRepository {
  readonly #states;
  readonly #authLapsed;
  readonly #regLapsed;
  readonly #boundary;
  readonly #tokens;
  readonly #renewals;
  readonly #active;
  readonly #activeOfTypes;
  readonly #activeForTarget;

  constructor(db: SqliteDatabase) {
    this.#states = db.prepare<[string], StateRow>(`SELECT pi.id, pi.va_id, va.name AS va_name, va.account_id, pi.hostname, pi.udi_pid,
        pi.udi_serial_number, pi.authorization_state
      FROM product_instances pi JOIN virtual_accounts va ON va.id = pi.va_id
      WHERE pi.registration_state = 'REGISTERED' AND pi.authorization_state IN (SELECT value FROM json_each(?))`);
    // These scan the registered instances: they run in the periodic sweep, never on the device path.
    this.#authLapsed = db.prepare<[number], InstanceRow>(`SELECT * FROM product_instances WHERE registration_state = 'REGISTERED'
      AND authorization_expires_at IS NOT NULL AND authorization_expires_at <= ?
      AND authorization_state IN ('AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NO_LICENSES_IN_USE')`);
    this.#regLapsed = db.prepare<[number], InstanceRow>(`SELECT pi.* FROM product_instances pi
      JOIN id_certificates c ON c.serial = pi.current_cert_serial
      WHERE pi.registration_state = 'REGISTERED' AND pi.authorization_state <> 'REGISTRATION_EXPIRED' AND c.not_after <= ?`);
    this.#boundary = db.prepare<{ now: number }, { at: number | null }>(`SELECT MIN(t) AS at FROM (
      SELECT MIN(starts_at) AS t FROM license_lines WHERE starts_at > @now
      UNION ALL SELECT MIN(ends_at) FROM license_lines WHERE ends_at > @now)`);
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

  instancesInStates(states: readonly string[]): InstanceSubject[] {
    return this.#states.all(JSON.stringify(states)).map((row) => ({
      instanceId: row.id, virtualAccountId: row.va_id, virtualAccountName: row.va_name, accountId: row.account_id,
      label: instanceLabel({ hostname: row.hostname, udi: { pid: row.udi_pid, serialNumber: row.udi_serial_number } }),
      authorizationState: row.authorization_state,
    }));
  }

  authorizationsLapsedBy(now: number): ProductInstance[] {
    return this.#authLapsed.all(now).map(toInstance);
  }

  registrationsLapsedBy(now: number): ProductInstance[] {
    return this.#regLapsed.all(now).map(toInstance);
  }

  nextLineBoundaryAfter(now: number): number | null {
    return this.#boundary.get({ now })?.at ?? null;
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
