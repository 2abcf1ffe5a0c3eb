import type { IdCertificate, Udi } from '../instances/product-instance.js';
import type { ParsedCsr } from './device-csr.js';

/** What registration needs from the PKI; SatellitePki implements it. */
export interface DeviceCertificateIssuer {
  issueDeviceCertificate(input: { csr: ParsedCsr; productInstanceId: string; udi: Udi; now: number }): Promise<IdCertificate>;
}
