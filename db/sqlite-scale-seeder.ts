import type { SqliteDatabase } from './sqlite-connection.js';

export interface ScaleSeedOptions {
  /** Existing virtual accounts; instances are spread over them round-robin. */
  virtualAccountIds: readonly string[];
  instances: number;
  /** Reference time (epoch ms): last contacts fall in the 15 minutes before it. */
  now: number;
  /** Entitlement tags the instances report (one or two each); pool_usage is brought in step. */
  tags: readonly string[];
  /** Distinguishes the rows of several calls on one database (ids, serials, hostnames). */
  prefix?: string;
  /** Bytes of filler in id_certificates.pem (a real P-256 ID certificate PEM is ~900). */
  pemBytes?: number;
  /** Rows per transaction. */
  batch?: number;
}

const DAY = 86_400_000;

/**
 * Bulk rows for scale runs (issue 13): realistic product instances with their certificates, entitlements and
 * pool usage, written with set-based SQL in about 10 s per million rows. No device holds the keys of these
 * rows (public_key_der is filler), so they serve the admin, sweep and sync paths; a bench that needs real
 * devices registers those through the protocol beside them. Shapes:
 * - ids are random (as newId's UUIDs are), so row order and id order differ as in production;
 * - last contact within the last 15 minutes, authorized then, authorization expiring 90 days later;
 * - 1 in 199 instances last authorized 40 days ago (renewal overdue), 1 in 1,001 OUT_OF_COMPLIANCE,
 *   1 in 5,003 UNREGISTERED (primes, so every VA gets some); certificates valid for a year from registration, some a week from expiry.
 */
export function seedScaleInventory(db: SqliteDatabase, options: ScaleSeedOptions): { inserted: number } {
  const prefix = options.prefix ?? 's';
  const batch = options.batch ?? 50_000;
  const vas = JSON.stringify(options.virtualAccountIds);
  const tags = JSON.stringify(options.tags);
  const pemBytes = options.pemBytes ?? 900;
  const insertInstances = db.prepare(`
    WITH RECURSIVE n(i) AS (SELECT CAST(@from AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @to),
    v AS (SELECT key AS k, value AS va FROM json_each(@vas)),
    r AS (SELECT i, lower(hex(randomblob(16))) AS id, abs(random()) % 900000 AS jitter FROM n)
    INSERT INTO product_instances (id, va_id, udi_pid, udi_serial_number, udi_vid, host_identifier, product_tag, hostname,
      ip_address, token_id, export_control_allowed, registration_state, authorization_state, registered_at, last_contact_at,
      authorized_at, authorization_expires_at, short_report_streak, current_cert_serial, kind)
    SELECT substr(id, 1, 8) || '-' || substr(id, 9, 4) || '-' || substr(id, 13, 4) || '-' || substr(id, 17, 4) || '-' || substr(id, 21),
      (SELECT va FROM v WHERE k = i % json_array_length(@vas)),
      'C9300-' || (24 + ((i / 4) % 4) * 8) || 'P', upper(@prefix) || 'FOC' || printf('%08d', i), 'V01', NULL,
      'regid.2026-01.com.example.C9300', @prefix || '-host-' || i || '.example.net',
      '10.' || ((i / 65536) % 256) || '.' || ((i / 256) % 256) || '.' || (i % 256), NULL, 1,
      CASE WHEN i % 5003 = 5002 THEN 'UNREGISTERED' ELSE 'REGISTERED' END,
      CASE WHEN i % 1001 = 1000 THEN 'OUT_OF_COMPLIANCE' ELSE 'AUTHORIZED' END,
      @now - 200 * ${DAY} + (i % 150) * ${DAY},
      CASE WHEN i % 199 = 7 THEN @now - 40 * ${DAY} ELSE @now - jitter END,
      CASE WHEN i % 199 = 7 THEN @now - 40 * ${DAY} ELSE @now - jitter END,
      CASE WHEN i % 199 = 7 THEN @now + 50 * ${DAY} ELSE @now - jitter + 90 * ${DAY} END,
      0, @prefix || printf('%012x', i), 'DEVICE'
    FROM r`);
  const insertCertificates = db.prepare(`
    INSERT INTO id_certificates (serial, instance_id, key_algorithm, public_key_der, pem, not_before, not_after, issued_at, revoked_at)
    SELECT current_cert_serial, id, 'ES256', randomblob(91), '-----BEGIN CERTIFICATE-----' || hex(randomblob(@pemHalf)),
      registered_at, CASE WHEN udi_serial_number LIKE '%7' THEN @now + 7 * ${DAY} ELSE registered_at + 365 * ${DAY} END,
      registered_at, NULL
    FROM product_instances WHERE rowid > @lastRowid`);
  const insertEntitlements = db.prepare(`
    INSERT INTO instance_entitlements (instance_id, tag, requested, authorized, status, updated_at)
    SELECT pi.id, t.value, 1, CASE WHEN pi.authorization_state = 'AUTHORIZED' THEN 1 ELSE 0 END,
      CASE WHEN pi.authorization_state = 'AUTHORIZED' THEN 'AUTHORIZED' ELSE 'OUT_OF_COMPLIANCE' END, pi.last_contact_at
    FROM product_instances pi JOIN json_each(@tags) t
      ON t.key = pi.rowid % json_array_length(@tags)
        OR (pi.rowid % 2 = 1 AND json_array_length(@tags) > 1 AND t.key = (pi.rowid + 1) % json_array_length(@tags))
    WHERE pi.rowid > @lastRowid AND pi.registration_state = 'REGISTERED'`);
  const lastRowid = db.prepare<[], { r: number | null }>('SELECT MAX(rowid) AS r FROM product_instances');
  const write = db.transaction((from: number, to: number) => {
    const before = lastRowid.get()?.r ?? 0;
    insertInstances.run({ from, to, vas, prefix, now: options.now });
    insertCertificates.run({ lastRowid: before, now: options.now, pemHalf: Math.max(1, Math.floor(pemBytes / 2)) });
    insertEntitlements.run({ lastRowid: before, tags });
  });
  for (let from = 0; from < options.instances; from += batch) write(from, Math.min(options.instances, from + batch));
  // Pool usage follows the entitlements, as the device path keeps it.
  db.transaction(() => {
    db.prepare(`INSERT INTO pool_usage (va_id, tag, authorized, requested, reserved)
      SELECT pi.va_id, e.tag, SUM(e.authorized), SUM(e.requested), 0 FROM instance_entitlements e
      JOIN product_instances pi ON pi.id = e.instance_id WHERE pi.registration_state = 'REGISTERED' AND pi.va_id IN (SELECT value FROM json_each(?))
      GROUP BY pi.va_id, e.tag
      ON CONFLICT (va_id, tag) DO UPDATE SET authorized = excluded.authorized, requested = excluded.requested`).run(vas);
  })();
  return { inserted: options.instances };
}
