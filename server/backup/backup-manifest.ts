import { createHash, X509Certificate } from 'node:crypto';
import { z } from 'zod';

export const BACKUP_FORMAT = 'license-satellite-backup';
export const MANIFEST_ENTRY = 'manifest.json';
export const DATABASE_ENTRY = 'satellite.db';
export const PKI_PREFIX = 'pki/';

export const backupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(1),
  /** sha256 of the root CA certificate (DER), hex: a satellite is its root, which every device trusts. */
  satelliteId: z.string().regex(/^[0-9a-f]{64}$/),
  schemaVersion: z.number().int().min(1),
  appVersion: z.string(),
  createdAt: z.iso.datetime(),
  files: z.array(z.object({
    name: z.string().regex(/^(satellite\.db|pki\/[a-z-]+\.pem)$/),
    bytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })).min(1),
});

export type BackupManifest = z.infer<typeof backupManifestSchema>;

export function satelliteIdOf(rootCertificatePem: string): string {
  return createHash('sha256').update(new X509Certificate(rootCertificatePem).raw).digest('hex');
}
