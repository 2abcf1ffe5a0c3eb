import type { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/**
 * Set before any @peculiar/x509 call in agent/ so CSR generation and certificate checks use Node's
 * WebCrypto. agent/ may not import licensing/, which does the same for the satellite side.
 */
export const agentCrypto: webcrypto.Crypto = installCryptoProvider();

function installCryptoProvider(): webcrypto.Crypto {
  x509.cryptoProvider.set(globalThis.crypto);
  return globalThis.crypto;
}

/** Lowercase hex without leading zeros: how the protocol compares certificate serials and key ids. */
export function normalizeSerial(serial: string): string {
  const stripped = serial.trim().toLowerCase().replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}

/** Reads one PEM certificate; the error names which certificate was unreadable. */
export function parseCertificate(pem: string, what: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem);
  } catch (error) {
    throw new Error(`${what} is not a readable X.509 certificate: ${error instanceof Error ? error.message : String(error)}`);
  }
}
