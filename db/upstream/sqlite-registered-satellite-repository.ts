import { z } from 'zod';
import type { RegisteredSatellite } from '../../licensing/upstream/registered-satellite.js';
import type { RegisteredSatelliteRepository } from '../../licensing/upstream/upstream-unit-of-work.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface SatelliteRow {
  id: string; name: string; accounts: string; registered_at: number; issued_at: number; credential_expires_at: number;
  last_sync_at: number | null; retired_at: number | null; satellite_public_key_pem: string | null; request_sequence: number; response_sequence: number;
  instances_sequence: number | null;
}

const accountsColumn = z.array(z.object({ account: z.string(), virtualAccounts: z.array(z.string()) }));

const toSatellite = (r: SatelliteRow): RegisteredSatellite => ({
  id: r.id, name: r.name, accounts: accountsColumn.parse(JSON.parse(r.accounts)), registeredAt: r.registered_at, issuedAt: r.issued_at,
  credentialExpiresAt: r.credential_expires_at, lastSyncAt: r.last_sync_at, retiredAt: r.retired_at,
  satellitePublicKeyPem: r.satellite_public_key_pem, requestSequence: r.request_sequence, responseSequence: r.response_sequence,
  instancesSequence: r.instances_sequence,
});

const params = (s: RegisteredSatellite) => ({
  id: s.id, name: s.name, accounts: JSON.stringify(s.accounts), registered_at: s.registeredAt, issued_at: s.issuedAt,
  credential_expires_at: s.credentialExpiresAt, last_sync_at: s.lastSyncAt, retired_at: s.retiredAt,
  satellite_public_key_pem: s.satellitePublicKeyPem, request_sequence: s.requestSequence, response_sequence: s.responseSequence,
  instances_sequence: s.instancesSequence,
});

export class SqliteRegisteredSatelliteRepository implements RegisteredSatelliteRepository {
  readonly #insert;
  readonly #update;
  readonly #byId;
  readonly #all;
  readonly #active;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare(`INSERT INTO registered_satellites (id, name, accounts, registered_at, issued_at, credential_expires_at,
      last_sync_at, retired_at, satellite_public_key_pem, request_sequence, response_sequence, instances_sequence)
      VALUES (@id, @name, @accounts, @registered_at, @issued_at, @credential_expires_at, @last_sync_at, @retired_at,
      @satellite_public_key_pem, @request_sequence, @response_sequence, @instances_sequence)`);
    this.#update = db.prepare(`UPDATE registered_satellites SET name = @name, accounts = @accounts, registered_at = @registered_at,
      issued_at = @issued_at, credential_expires_at = @credential_expires_at, last_sync_at = @last_sync_at, retired_at = @retired_at,
      satellite_public_key_pem = @satellite_public_key_pem, request_sequence = @request_sequence, response_sequence = @response_sequence,
      instances_sequence = @instances_sequence WHERE id = @id`);
    this.#byId = db.prepare<[string], SatelliteRow>('SELECT * FROM registered_satellites WHERE id = ?');
    this.#all = db.prepare<[], SatelliteRow>('SELECT * FROM registered_satellites ORDER BY registered_at, id');
    this.#active = db.prepare<[], SatelliteRow>('SELECT * FROM registered_satellites WHERE retired_at IS NULL ORDER BY registered_at, id');
  }

  insert(satellite: RegisteredSatellite): void {
    this.#insert.run(params(satellite));
  }

  update(satellite: RegisteredSatellite): void {
    this.#update.run(params(satellite));
  }

  findById(id: string): RegisteredSatellite | undefined {
    const row = this.#byId.get(id);
    return row ? toSatellite(row) : undefined;
  }

  list(): RegisteredSatellite[] {
    return this.#all.all().map(toSatellite);
  }

  listActive(): RegisteredSatellite[] {
    return this.#active.all().map(toSatellite);
  }
}
