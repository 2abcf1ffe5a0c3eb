import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { Satellite, ServedTls } from '../../composition-root.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';

const tlsView = z.object({
  hostNames: z.array(z.string()).describe('DNS names and IP addresses of the subjectAltName'),
  subject: z.string(),
  issuer: z.string(),
  notBefore: z.string().describe('ISO 8601'),
  notAfter: z.string().describe('ISO 8601'),
  sha256Fingerprint: z.string().describe('colon-separated hex, as openssl x509 -fingerprint -sha256 prints it'),
  installedByAdmin: z.boolean().describe('SATELLITE_TLS_CERT/KEY rather than a certificate issued by the satellite root'),
});

/**
 * GET /settings/tls: the certificate the HTTPS port presents (DESIGN §10 Settings, §11). Read-only: a new one
 * is issued with `satellite pki tls-reissue` or SATELLITE_HOSTNAMES and takes effect at the next start, since
 * the listener holds its key. Null for an embedded app, which serves no TLS.
 */
export function tlsSettingsRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/settings/tls', tag: 'Operations', access: 'admin',
      summary: 'The TLS certificate the satellite serves: host names, validity and fingerprint',
      response: z.object({ tls: tlsView.nullable() }),
      handler: () => ({ tls: satellite.servedTls ? describeTls(satellite.servedTls) : null }),
    }),
  ];
}

function describeTls(served: ServedTls): z.infer<typeof tlsView> {
  // The served PEM is the chain (leaf first); X509Certificate reads the first certificate.
  const leaf = new X509Certificate(served.certificatePem);
  const hostNames = (leaf.subjectAltName ?? '').split(/,\s*/).filter((entry) => entry !== '')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''));
  return {
    hostNames, subject: leaf.subject.replace(/\n/g, ', '), issuer: leaf.issuer.replace(/\n/g, ', '),
    notBefore: new Date(leaf.validFrom).toISOString(), notAfter: new Date(leaf.validTo).toISOString(),
    sha256Fingerprint: leaf.fingerprint256, installedByAdmin: served.installedByAdmin,
  };
}
