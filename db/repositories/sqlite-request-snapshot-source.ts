import { z } from 'zod';
import type {
  RequestSnapshotHeader, RequestSnapshotSink, RequestSnapshotSource,
} from '../../licensing/binding/request-snapshot-source.js';
import { utcDay } from '../../licensing/licenses/usage-history.js';
import { ConflictError } from '../../licensing/shared/domain-error.js';
import { SqliteSatelliteBindingRepository } from './sqlite-satellite-binding-repository.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface InstanceRow {
  id: string; account: string; virtual_account: string; udi_pid: string; udi_serial_number: string; udi_vid: string | null;
  host_identifier: string | null; product_tag: string; hostname: string | null; registration_state: string; authorization_state: string;
  registered_at: number; last_contact_at: number; entitlements: string;
}
interface UsageRow { account: string; virtual_account: string; tag: string; authorized: number; requested: number; reserved: number; peak: number }
interface VaRow { account: string; name: string; description: string; created_at: number }
interface EventRow { type: string; count: number; first_at: number; last_at: number }

const entitlementsColumn = z.array(z.object({ tag: z.string(), requested: z.number(), authorized: z.number() }));

/** Where each request's snapshot time is kept (the settings table), so no migration is needed. */
const snapshotKey = (sequence: number) => `sync.request_snapshot_at.${sequence}`;

/**
 * The local accounts the registration binds (those holding a bound VA), with the upstream's name for each. Only
 * these travel (DESIGN §5.2 amended): on a multi-tenant satellite, another tenant's devices, usage, VAs and
 * events must not reach this upstream. Every query below joins or filters through it.
 */
const BOUND_ACCOUNTS = `(SELECT DISTINCT v.account_id, b.upstream_account FROM satellite_binding_virtual_accounts b
  JOIN virtual_accounts v ON v.id = b.va_id)`;
// Names as the upstream knows them: the bound account's, and the VA's where it is bound (local VAs keep their own).
const NAMES = `ba.upstream_account AS account, COALESCE(b.upstream_virtual_account, va.name) AS virtual_account`;
const NAMES_JOIN = `JOIN virtual_accounts va ON va.id = X.va_id JOIN ${BOUND_ACCOUNTS} ba ON ba.account_id = va.account_id
  LEFT JOIN satellite_binding_virtual_accounts b ON b.va_id = va.id`;

const INSTANCE_COLUMNS = `SELECT pi.id, ${NAMES}, pi.udi_pid, pi.udi_serial_number, pi.udi_vid, pi.host_identifier, pi.product_tag,
  pi.hostname, pi.registration_state, pi.authorization_state, pi.registered_at, pi.last_contact_at,
  (SELECT json_group_array(json_object('tag', e.tag, 'requested', e.requested, 'authorized', e.authorized))
     FROM instance_entitlements e WHERE e.instance_id = pi.id) AS entitlements
  FROM product_instances pi ${NAMES_JOIN.replace('X.', 'pi.')}
  WHERE pi.kind = 'DEVICE'`;
/** A full snapshot: every instance of the bound accounts. */
const ALL_INSTANCES = `${INSTANCE_COLUMNS} ORDER BY pi.id`;
/**
 * The changes since `@since`. The change time of an instance is the latest of its registration, last contact,
 * authorization, certificate revocation (an admin removal touches nothing else) and entitlement update; written as
 * an OR so that revocations come from the partial index on revoked certificates (migration 0013) and entitlement
 * updates from one pass over that narrow table, built once per query, instead of two correlated look-ups for each of
 * 1M rows; `+pi.id` makes it scan the table in storage order and sort the few changed rows, rather than walk the id
 * index and fetch every row at random (3x faster at 100k). `>=` rather than `>`: an instance changed in the very
 * millisecond of the base export travels again, which is harmless.
 */
const CHANGED_INSTANCES = `${INSTANCE_COLUMNS} AND (MAX(pi.registered_at, pi.last_contact_at, COALESCE(pi.authorized_at, 0)) >= @since
    OR pi.id IN (SELECT c.instance_id FROM id_certificates c WHERE c.revoked_at IS NOT NULL AND c.revoked_at >= @since)
    OR pi.id IN (SELECT e.instance_id FROM instance_entitlements e WHERE e.updated_at >= @since))
  ORDER BY +pi.id`;

export class SqliteRequestSnapshotSource implements RequestSnapshotSource {
  readonly #snapshot;

  constructor(db: SqliteDatabase) {
    const binding = new SqliteSatelliteBindingRepository(db);
    const getSetting = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    const putSetting = db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)');
    const allInstances = db.prepare<[], InstanceRow>(ALL_INSTANCES);
    const changedInstances = db.prepare<[{ since: number }], InstanceRow>(CHANGED_INSTANCES);
    const snapshotAt = (sequence: number): number | null => {
      const recorded = sequence > 0 ? getSetting.get(snapshotKey(sequence)) : undefined;
      return recorded === undefined ? null : Number(recorded.value);
    };
    const usage = db.prepare<[{ since_day: number | null }], UsageRow>(`SELECT ${NAMES}, pu.tag, pu.authorized, pu.requested, pu.reserved,
        MAX(pu.requested + pu.reserved, COALESCE((SELECT MAX(d.peak_in_use) FROM pool_usage_days d
          WHERE d.va_id = pu.va_id AND d.tag = pu.tag AND (@since_day IS NULL OR d.day >= @since_day)), 0)) AS peak
      FROM pool_usage pu ${NAMES_JOIN.replace('X.', 'pu.')}
      WHERE pu.authorized > 0 OR pu.requested > 0 OR pu.reserved > 0 ORDER BY account, virtual_account, pu.tag`);
    const localVas = db.prepare<[], VaRow>(`SELECT ba.upstream_account AS account, va.name, va.description, va.created_at
      FROM virtual_accounts va JOIN ${BOUND_ACCOUNTS} ba ON ba.account_id = va.account_id
      WHERE va.origin = 'local' AND va.id NOT IN (SELECT va_id FROM satellite_binding_virtual_accounts) ORDER BY ba.upstream_account, va.name`);
    const events = db.prepare<[{ since: number | null }], EventRow>(`SELECT type, COUNT(*) AS count, MIN(occurred_at) AS first_at,
      MAX(occurred_at) AS last_at FROM events
      WHERE account_id IN (SELECT account_id FROM ${BOUND_ACCOUNTS}) AND (@since IS NULL OR occurred_at >= @since) GROUP BY type ORDER BY type`);

    this.#snapshot = db.transaction((now: number, sink: RequestSnapshotSink): RequestSnapshotHeader => {
      const bound = binding.findBinding();
      if (!bound) throw new ConflictError('this satellite is not registered with an upstream; import a registration file first', { reason: 'NOT_REGISTERED' });
      const state = binding.findSyncState();
      const sequence = state.requestSequence + 1;
      binding.saveSyncState({ ...state, requestSequence: sequence });
      putSetting.run(snapshotKey(sequence), String(now));
      const since = snapshotAt(state.acknowledgedSequence);
      // What the upstream holds: its own word when it gave one, else (an older upstream) the acknowledged request.
      // A base whose snapshot time is unknown cannot be diffed against: then everything travels.
      const base = state.instancesSequence ?? state.acknowledgedSequence;
      const instancesSince = snapshotAt(base);
      const instancesBaseSequence = instancesSince === null ? null : base;
      const rows = instancesSince === null ? allInstances.iterate() : changedInstances.iterate({ since: instancesSince });
      for (const r of rows) {
        sink.instance({
          productInstanceId: r.id, account: r.account, virtualAccount: r.virtual_account, removed: r.registration_state !== 'REGISTERED',
          udiPid: r.udi_pid, udiSerialNumber: r.udi_serial_number, udiVid: r.udi_vid, hostIdentifier: r.host_identifier,
          productTag: r.product_tag, hostname: r.hostname, registrationState: r.registration_state === 'REGISTERED' ? 'REGISTERED' : 'UNREGISTERED',
          authorizationState: r.authorization_state, registeredAt: r.registered_at, lastContactAt: r.last_contact_at,
          entitlements: entitlementsColumn.parse(JSON.parse(r.entitlements)),
        });
      }
      for (const r of usage.iterate({ since_day: since === null ? null : utcDay(since) })) {
        sink.usage({
          account: r.account, virtualAccount: r.virtual_account, tag: r.tag, authorized: r.authorized, requested: r.requested,
          reserved: r.reserved, peak: r.peak,
        });
      }
      for (const r of localVas.iterate()) sink.localVirtualAccount({ account: r.account, name: r.name, description: r.description, createdAt: r.created_at });
      for (const r of events.iterate({ since })) sink.eventCount({ type: r.type, count: r.count, firstAt: r.first_at, lastAt: r.last_at });
      return { binding: bound, sequence, since, instancesBaseSequence, instancesSince };
    });
  }

  takeSnapshot(now: number, sink: RequestSnapshotSink): RequestSnapshotHeader {
    // Immediate: the sequence increment and the rows it covers commit together or not at all.
    return this.#snapshot.immediate(now, sink);
  }
}
