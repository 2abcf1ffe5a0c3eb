import type { Alert } from '../../licensing/alerts/alert.js';
import type { AlertCauseRepository, ExpiringToken, ScanChunk, ScanSpan } from '../../licensing/alerts/alert-cause-repository.js';
import { instanceLabel, type RenewalSubject } from '../../licensing/alerts/alert-rules.js';
import type { InstanceSubject } from '../../licensing/alerts/license-alert-rules.js';
import type { ProductInstance } from '../../licensing/instances/product-instance.js';
import type { SqliteDatabase } from '../sqlite-connection.js';
import { toAlert, type AlertRow } from './sqlite-alert-repository.js';
import { instanceColumns, toInstance, type InstanceRow } from './sqlite-product-instance-repository.js';
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

/** The states the instance-state alerts watch (license-alert-rules.ts), as in product_instances_alerting_states. */
const ALERTING_STATES: readonly string[] = ['OUT_OF_COMPLIANCE', 'AUTHORIZATION_EXPIRED', 'REGISTRATION_EXPIRED'];
const ALERTING_STATES_SQL = ALERTING_STATES.map((state) => `'${state}'`).join(', ');

export class SqliteAlertCauseRepository implements AlertCauseRepository {
  readonly #alertingStates;
  readonly #states;
  readonly #span;
  readonly #authLapsed;
  readonly #regLapsed;
  readonly #boundary;
  readonly #tokens;
  readonly #renewals;
  readonly #active;
  readonly #activeOfTypes;
  readonly #activeForTarget;

  constructor(db: SqliteDatabase) {
    // Each of these reads only its candidates through a partial index of migration 0014, so the sweep at start
    // and every 15 minutes costs O(instances that need attention), not O(instances). Partial indexes are used
    // only when the query repeats their WHERE terms, hence the literal state lists.
    this.#alertingStates = db.prepare<[], StateRow>(`SELECT pi.id, pi.va_id, va.name AS va_name, va.account_id, pi.hostname, pi.udi_pid,
        pi.udi_serial_number, pi.authorization_state
      FROM product_instances pi INDEXED BY product_instances_alerting_states JOIN virtual_accounts va ON va.id = pi.va_id
      WHERE pi.registration_state = 'REGISTERED' AND pi.authorization_state IN (${ALERTING_STATES_SQL})`);
    this.#states = db.prepare<[string], StateRow>(`SELECT pi.id, pi.va_id, va.name AS va_name, va.account_id, pi.hostname, pi.udi_pid,
        pi.udi_serial_number, pi.authorization_state
      FROM product_instances pi JOIN virtual_accounts va ON va.id = pi.va_id
      WHERE pi.registration_state = 'REGISTERED' AND pi.authorization_state IN (SELECT value FROM json_each(?))`);
    // Rowid chunks, not an index: an index on authorization_expires_at (or authorized_at) would be rewritten by
    // every AUTHORIZE. A chunk is a short range read of the table; the sweep yields between chunks.
    this.#authLapsed = db.prepare<{ after: number; upTo: number; now: number }, InstanceRow>(`SELECT ${instanceColumns('product_instances')} FROM product_instances
      WHERE rowid > @after AND rowid <= @upTo AND registration_state = 'REGISTERED'
        AND authorization_state IN ('AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NO_LICENSES_IN_USE')
        AND authorization_expires_at IS NOT NULL AND authorization_expires_at <= @now`);
    // Two subqueries: SQLite reads MIN and MAX of the rowid from the ends of the table only when each is alone
    // in its SELECT; together in one they scanned every row (389 ms at 1M, on the event loop, every sweep).
    this.#span = db.prepare<[], { first: number | null; last: number | null }>(`SELECT (SELECT MIN(rowid) FROM product_instances) AS first,
      (SELECT MAX(rowid) FROM product_instances) AS last`);
    // A registered instance's current certificate is never revoked (renewal, re-registration, deregistration and
    // removal revoke the one they retire), so the unrevoked certificates past not_after hold every candidate.
    this.#regLapsed = db.prepare<[number], InstanceRow>(`SELECT ${instanceColumns('pi')} FROM id_certificates c INDEXED BY id_certificates_unrevoked_by_expiry
      JOIN product_instances pi ON pi.id = c.instance_id
      WHERE c.revoked_at IS NULL AND c.not_after <= ? AND pi.current_cert_serial = c.serial
        AND pi.registration_state = 'REGISTERED' AND pi.authorization_state <> 'REGISTRATION_EXPIRED'`);
    this.#boundary = db.prepare<{ now: number }, { at: number | null }>(`SELECT MIN(t) AS at FROM (
      SELECT MIN(starts_at) AS t FROM license_lines WHERE starts_at > @now
      UNION ALL SELECT MIN(ends_at) FROM license_lines WHERE ends_at > @now)`);
    this.#tokens = db.prepare<{ now: number; until: number }, TokenContextRow>(`SELECT t.*, va.name AS va_name, va.account_id
      FROM registration_tokens t JOIN virtual_accounts va ON va.id = t.va_id
      WHERE t.revoked_at IS NULL AND t.expires_at > @now AND t.expires_at <= @until
        AND (t.max_uses IS NULL OR t.uses < t.max_uses)`);
    // Only an instance authorized before the cutoff can be OVERDUE (renewalStatus); one whose authorization
    // already expired is EXPIRED, which wants no renewal alert, so the expiry needs no second condition.
    this.#renewals = db.prepare<{ after: number; upTo: number; before: number }, RenewalRow>(`SELECT pi.id, pi.va_id, va.name AS va_name,
        va.account_id, pi.hostname, pi.udi_pid, pi.udi_serial_number, pi.authorized_at, pi.authorization_expires_at
      FROM product_instances pi JOIN virtual_accounts va ON va.id = pi.va_id
      WHERE pi.rowid > @after AND pi.rowid <= @upTo AND pi.registration_state = 'REGISTERED'
        AND pi.authorized_at IS NOT NULL AND pi.authorized_at < @before`);
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
    const alerting = states.length === ALERTING_STATES.length && ALERTING_STATES.every((state) => states.includes(state));
    const rows = alerting ? this.#alertingStates.all() : this.#states.all(JSON.stringify(states));
    return rows.map((row) => ({
      instanceId: row.id, virtualAccountId: row.va_id, virtualAccountName: row.va_name, accountId: row.account_id,
      label: instanceLabel({ hostname: row.hostname, udi: { pid: row.udi_pid, serialNumber: row.udi_serial_number } }),
      authorizationState: row.authorization_state,
    }));
  }

  instanceSpan(): ScanSpan | null {
    const row = this.#span.get();
    return row?.first === null || row?.first === undefined || row.last === null ? null : { first: row.first, last: row.last };
  }

  authorizationsLapsedBy(now: number, chunk: ScanChunk): ProductInstance[] {
    return this.#authLapsed.all({ ...chunk, now }).map(toInstance);
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

  renewalCandidates(authorizedBefore: number, chunk: ScanChunk): RenewalSubject[] {
    return this.#renewals.all({ ...chunk, before: authorizedBefore }).map((row) => ({
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
