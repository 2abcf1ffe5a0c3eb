import type { Satellite } from '../composition-root.js';

/** The signing certificate, then the root: what `openssl verify -CAfile root.pem -untrusted signing.pem` needs. */
export function pkiChainPem(satellite: Pick<Satellite, 'pki'>): string {
  return `${[satellite.pki.signingCertificatePem, satellite.pki.rootCertificatePem].map((pem) => pem.trim()).join('\n')}\n`;
}
