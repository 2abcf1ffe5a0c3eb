import { z } from 'zod';
import type { SatelliteBindingRepository } from '../../licensing/binding/satellite-binding-repository.js';
import { initialSyncState, type BoundVirtualAccount, type SatelliteBinding, type SyncState } from '../../licensing/binding/satellite-binding.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface BindingRow {
  satellite_id: string; satellite_name: string; upstream_id: string; upstream_url: string | null; upstream_public_key_pem: string;
  upstream_key_fingerprint: string; mode: string; accounts: string; credential_expires_at: number; registration_issued_at: number;
  bound_at: number; updated_at: number;
}
interface BoundRow { va_id: string; upstream_account: string; upstream_virtual_account: string }
interface StateRow {
  last_attempt_at: number | null; last_success_at: number | null; last_error_at: number | null; last_error: string | null;
  next_run_at: number | null; consecutive_failures: number; request_sequence: number; acknowledged_sequence: number;
  upstream_sequence: number; last_upstream_bundle_id: string | null; instances_sequence: number | null;
}

// The column holds JSON this code wrote; reading it through a schema still turns a hand-edited row into a clear error.
const accountsColumn = z.array(z.object({ account: z.string(), virtualAccounts: z.array(z.string()) }));

export class SqliteSatelliteBindingRepository implements SatelliteBindingRepository {
  readonly #binding;
  readonly #saveBinding;
  readonly #bound;
  readonly #clearBound;
  readonly #insertBound;
  readonly #state;
  readonly #saveState;

  constructor(db: SqliteDatabase) {
    this.#binding = db.prepare<[], BindingRow>('SELECT * FROM satellite_binding WHERE id = 1');
    this.#saveBinding = db.prepare(`INSERT OR REPLACE INTO satellite_binding (id, satellite_id, satellite_name, upstream_id, upstream_url,
      upstream_public_key_pem, upstream_key_fingerprint, mode, accounts, credential_expires_at, registration_issued_at, bound_at, updated_at)
      VALUES (1, @satellite_id, @satellite_name, @upstream_id, @upstream_url, @upstream_public_key_pem, @upstream_key_fingerprint, @mode,
      @accounts, @credential_expires_at, @registration_issued_at, @bound_at, @updated_at)`);
    this.#bound = db.prepare<[], BoundRow>('SELECT * FROM satellite_binding_virtual_accounts ORDER BY upstream_account, upstream_virtual_account');
    this.#clearBound = db.prepare('DELETE FROM satellite_binding_virtual_accounts');
    this.#insertBound = db.prepare('INSERT INTO satellite_binding_virtual_accounts (va_id, upstream_account, upstream_virtual_account) VALUES (?, ?, ?)');
    this.#state = db.prepare<[], StateRow>('SELECT * FROM sync_state WHERE id = 1');
    this.#saveState = db.prepare(`INSERT OR REPLACE INTO sync_state (id, last_attempt_at, last_success_at, last_error_at, last_error, next_run_at,
      consecutive_failures, request_sequence, acknowledged_sequence, upstream_sequence, last_upstream_bundle_id, instances_sequence)
      VALUES (1, @last_attempt_at, @last_success_at, @last_error_at, @last_error, @next_run_at, @consecutive_failures, @request_sequence,
      @acknowledged_sequence, @upstream_sequence, @last_upstream_bundle_id, @instances_sequence)`);
  }

  findBinding(): SatelliteBinding | undefined {
    const row = this.#binding.get();
    if (!row) return undefined;
    return {
      satelliteId: row.satellite_id, satelliteName: row.satellite_name, upstreamId: row.upstream_id, upstreamUrl: row.upstream_url,
      upstreamPublicKeyPem: row.upstream_public_key_pem, upstreamKeyFingerprint: row.upstream_key_fingerprint,
      mode: row.mode === 'connected' ? 'connected' : 'disconnected', accounts: accountsColumn.parse(JSON.parse(row.accounts)),
      credentialExpiresAt: row.credential_expires_at, issuedAt: row.registration_issued_at, boundAt: row.bound_at, updatedAt: row.updated_at,
    };
  }

  saveBinding(b: SatelliteBinding): void {
    this.#saveBinding.run({
      satellite_id: b.satelliteId, satellite_name: b.satelliteName, upstream_id: b.upstreamId, upstream_url: b.upstreamUrl,
      upstream_public_key_pem: b.upstreamPublicKeyPem, upstream_key_fingerprint: b.upstreamKeyFingerprint, mode: b.mode,
      accounts: JSON.stringify(b.accounts), credential_expires_at: b.credentialExpiresAt, registration_issued_at: b.issuedAt,
      bound_at: b.boundAt, updated_at: b.updatedAt,
    });
  }

  listBoundVirtualAccounts(): BoundVirtualAccount[] {
    return this.#bound.all().map((r) => ({ virtualAccountId: r.va_id, account: r.upstream_account, virtualAccount: r.upstream_virtual_account }));
  }

  replaceBoundVirtualAccounts(rows: readonly BoundVirtualAccount[]): void {
    // Runs inside the unit of work's transaction, so the mapping is never seen half replaced.
    this.#clearBound.run();
    for (const row of rows) this.#insertBound.run(row.virtualAccountId, row.account, row.virtualAccount);
  }

  findSyncState(): SyncState {
    const row = this.#state.get();
    if (!row) return initialSyncState;
    return {
      lastAttemptAt: row.last_attempt_at, lastSuccessAt: row.last_success_at, lastErrorAt: row.last_error_at, lastError: row.last_error,
      nextRunAt: row.next_run_at, consecutiveFailures: row.consecutive_failures, requestSequence: row.request_sequence,
      acknowledgedSequence: row.acknowledged_sequence, upstreamSequence: row.upstream_sequence, lastUpstreamBundleId: row.last_upstream_bundle_id,
      instancesSequence: row.instances_sequence,
    };
  }

  saveSyncState(s: SyncState): void {
    this.#saveState.run({
      last_attempt_at: s.lastAttemptAt, last_success_at: s.lastSuccessAt, last_error_at: s.lastErrorAt, last_error: s.lastError,
      next_run_at: s.nextRunAt, consecutive_failures: s.consecutiveFailures, request_sequence: s.requestSequence,
      acknowledged_sequence: s.acknowledgedSequence, upstream_sequence: s.upstreamSequence, last_upstream_bundle_id: s.lastUpstreamBundleId,
      instances_sequence: s.instancesSequence,
    });
  }
}
