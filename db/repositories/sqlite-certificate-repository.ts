import type { CertificateKey, IdCertificate, KeyAlgorithm } from '../../licensing/instances/product-instance.js';
import type { CertificateRepository } from '../../licensing/instances/product-instance-repository.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface CertificateRow {
  serial: string; instance_id: string; key_algorithm: string; public_key_der: Buffer; pem: string;
  not_before: number; not_after: number; issued_at: number; revoked_at: number | null;
}

export class SqliteCertificateRepository implements CertificateRepository {
  readonly #insert;
  readonly #bySerial;
  readonly #keyBySerial;
  readonly #revoke;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare(`INSERT INTO id_certificates (serial, instance_id, key_algorithm, public_key_der, pem,
      not_before, not_after, issued_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#bySerial = db.prepare<[string], CertificateRow>('SELECT * FROM id_certificates WHERE serial = ?');
    this.#keyBySerial = db.prepare<[string], KeyRow>(
      'SELECT serial, instance_id, key_algorithm, public_key_der, not_after, revoked_at FROM id_certificates WHERE serial = ?',
    );
    this.#revoke = db.prepare('UPDATE id_certificates SET revoked_at = ? WHERE serial = ? AND revoked_at IS NULL');
  }

  insert(c: IdCertificate): void {
    this.#insert.run(c.serial, c.productInstanceId, c.keyAlgorithm, Buffer.from(c.publicKeyDer), c.pem, c.notBefore,
      c.notAfter, c.issuedAt, c.revokedAt);
  }

  findBySerial(serial: string): IdCertificate | undefined {
    const row = this.#bySerial.get(serial);
    return row ? { ...toKey(row), pem: row.pem, notBefore: row.not_before, issuedAt: row.issued_at } : undefined;
  }

  findKeyBySerial(serial: string): CertificateKey | undefined {
    const row = this.#keyBySerial.get(serial);
    return row ? toKey(row) : undefined;
  }

  revoke(serial: string, at: number): void {
    this.#revoke.run(at, serial);
  }
}

type KeyRow = Pick<CertificateRow, 'serial' | 'instance_id' | 'key_algorithm' | 'public_key_der' | 'not_after' | 'revoked_at'>;

const toKey = (row: KeyRow): CertificateKey => ({
  serial: row.serial,
  productInstanceId: row.instance_id,
  keyAlgorithm: row.key_algorithm as KeyAlgorithm,
  publicKeyDer: row.public_key_der,
  notAfter: row.not_after,
  revokedAt: row.revoked_at,
});
