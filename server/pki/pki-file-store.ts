import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePkiMaterial, type PkiMaterial } from '../../licensing/pki/pki-material.js';

/** File names inside <data>/pki; root.pem is what an admin hands to devices. */
export const PKI_FILES = {
  rootCertificatePem: 'root.pem',
  rootKeyPem: 'root-key.pem',
  signingCertificatePem: 'signing.pem',
  signingKeyPem: 'signing-key.pem',
  tlsCertificatePem: 'tls.pem',
  tlsKeyPem: 'tls-key.pem',
} as const satisfies Record<keyof PkiMaterial, string>;

export interface LoadedPki {
  material: PkiMaterial;
  directory: string;
  rootCertificatePath: string;
  created: boolean;
}

/**
 * Creates the PKI on first start and reuses it ever after; a half-written set (some files missing) is an
 * error rather than silently regenerated, because a new root would orphan every registered device.
 */
export async function loadOrCreatePki(dataDir: string, options: { hostNames: string[]; now: number; commonName: string }): Promise<LoadedPki> {
  const directory = join(dataDir, 'pki');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const paths = Object.fromEntries(
    Object.entries(PKI_FILES).map(([key, file]) => [key, join(directory, file)]),
  ) as Record<keyof PkiMaterial, string>;
  const present = Object.values(paths).filter((path) => existsSync(path));
  const rootCertificatePath = paths.rootCertificatePem;
  if (present.length === Object.keys(paths).length) {
    const material = Object.fromEntries(
      Object.entries(paths).map(([key, path]) => [key, readFileSync(path, 'utf8')]),
    ) as unknown as PkiMaterial;
    return { material, directory, rootCertificatePath, created: false };
  }
  if (present.length > 0) {
    throw new Error(`incomplete PKI in ${directory}: found ${present.length} of ${Object.keys(paths).length} files; restore the missing ones from a backup`);
  }
  const material = await generatePkiMaterial({ now: options.now, hostNames: options.hostNames, commonName: options.commonName });
  for (const key of Object.keys(PKI_FILES) as Array<keyof PkiMaterial>) {
    // Write then rename so a crash never leaves a truncated key behind.
    const target = paths[key];
    writeFileSync(`${target}.tmp`, material[key], { mode: 0o600 });
    chmodSync(`${target}.tmp`, 0o600);
    renameSync(`${target}.tmp`, target);
  }
  return { material, directory, rootCertificatePath, created: true };
}
