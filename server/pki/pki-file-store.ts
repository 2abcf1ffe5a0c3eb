import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import {
  generatePkiMaterial, reissueTlsCertificate, sameHostNames, tlsCertificateHostNames, type PkiMaterial,
} from '../../licensing/pki/pki-material.js';

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
  /** Set when the TLS certificate was reissued at this load because the configured host names changed. */
  tlsReissued: { from: string[]; to: string[] } | null;
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
    const from = tlsCertificateHostNames(material.tlsCertificatePem);
    // Only a certificate our root issued is ours to replace; one an admin put in tls.pem stays.
    if (issuedBy(material.tlsCertificatePem, material.rootCertificatePem) && !sameHostNames(from, options.hostNames)) {
      const tls = await reissueTlsCertificate({ ...material, hostNames: options.hostNames, now: options.now });
      writePkiFiles(paths, tls);
      return { material: { ...material, ...tls }, directory, rootCertificatePath, created: false, tlsReissued: { from, to: options.hostNames } };
    }
    return { material, directory, rootCertificatePath, created: false, tlsReissued: null };
  }
  if (present.length > 0) {
    throw new Error(`incomplete PKI in ${directory}: found ${present.length} of ${Object.keys(paths).length} files; restore the missing ones from a backup`);
  }
  const material = await generatePkiMaterial({ now: options.now, hostNames: options.hostNames, commonName: options.commonName });
  writePkiFiles(paths, material);
  return { material, directory, rootCertificatePath, created: true, tlsReissued: null };
}

/**
 * `satellite pki tls-reissue`: a new TLS certificate for these names under the same root, whatever tls.pem
 * held before (also an admin's own). The running server picks it up at its next start.
 */
export async function reissueTlsFiles(dataDir: string, hostNames: string[], now: number): Promise<{ path: string; hostNames: string[] }> {
  const directory = join(dataDir, 'pki');
  const read = (key: keyof PkiMaterial) => readFileSync(join(directory, PKI_FILES[key]), 'utf8');
  const tls = await reissueTlsCertificate({ rootCertificatePem: read('rootCertificatePem'), rootKeyPem: read('rootKeyPem'), hostNames, now });
  writePkiFiles({ tlsCertificatePem: join(directory, PKI_FILES.tlsCertificatePem), tlsKeyPem: join(directory, PKI_FILES.tlsKeyPem) }, tls);
  return { path: join(directory, PKI_FILES.tlsCertificatePem), hostNames: tlsCertificateHostNames(tls.tlsCertificatePem) };
}

function writePkiFiles(paths: Partial<Record<keyof PkiMaterial, string>>, material: Partial<PkiMaterial>): void {
  for (const key of Object.keys(material) as Array<keyof PkiMaterial>) {
    // Write then rename so a crash never leaves a truncated key behind.
    const target = paths[key];
    const content = material[key];
    if (target === undefined || content === undefined) continue;
    writeFileSync(`${target}.tmp`, content, { mode: 0o600 });
    chmodSync(`${target}.tmp`, 0o600);
    renameSync(`${target}.tmp`, target);
  }
}

function issuedBy(certificatePem: string, rootPem: string): boolean {
  try {
    return new X509Certificate(certificatePem).verify(new X509Certificate(rootPem).publicKey);
  } catch {
    return false;
  }
}
