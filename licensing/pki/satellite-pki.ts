import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { IdCertificate, Udi } from '../instances/product-instance.js';
import { normalizeSerial } from '../instances/product-instance.js';
import type { LicensingTimers } from '../shared/licensing-timers.js';
import type { DeviceCertificateIssuer } from './device-certificate-issuer.js';
import { DeviceCertificateTemplate } from './device-certificate-template.js';
import type { ParsedCsr } from './device-csr.js';
import { toPem } from './der.js';
import { pkiCrypto, randomCertificateSerial, type PkiMaterial } from './pki-material.js';

export interface IssueDeviceCertificateInput {
  csr: ParsedCsr;
  productInstanceId: string;
  udi: Udi;
  /** Epoch milliseconds. */
  now: number;
}

/**
 * The satellite's CA at run time: signs protocol responses and issues device ID certificates. Keys are
 * imported once in load() because sign() runs for every device response.
 */
export class SatellitePki implements DeviceCertificateIssuer {
  readonly material: PkiMaterial;
  readonly rootCertificatePem: string;
  readonly signingCertificatePem: string;
  /** The key_id of every response envelope: the signing certificate's serial, normalized. */
  readonly signingKeyId: string;
  /** What a device receives at registration: [signing PEM, root PEM]. */
  readonly certificateChain: string[];

  readonly #signingKey: KeyObject;
  readonly #deviceCertificates: DeviceCertificateTemplate;
  readonly #timers: LicensingTimers;

  private constructor(init: {
    material: PkiMaterial;
    signingKey: KeyObject;
    signingCertificate: x509.X509Certificate;
    authorityKeyId: x509.AuthorityKeyIdentifierExtension;
    timers: LicensingTimers;
  }) {
    this.material = init.material;
    this.rootCertificatePem = init.material.rootCertificatePem;
    this.signingCertificatePem = init.material.signingCertificatePem;
    this.signingKeyId = normalizeSerial(init.signingCertificate.serialNumber);
    this.certificateChain = [this.signingCertificatePem, this.rootCertificatePem];
    this.#signingKey = init.signingKey;
    this.#deviceCertificates = new DeviceCertificateTemplate(
      new Uint8Array(init.signingCertificate.rawData), new Uint8Array(init.authorityKeyId.rawData), init.signingKey,
    );
    this.#timers = init.timers;
  }

  /** Fails loudly at start-up when the data directory holds a signing key that is not the certificate's. */
  static async load(material: PkiMaterial, options: { timers: LicensingTimers }): Promise<SatellitePki> {
    const signingCertificate = new x509.X509Certificate(material.signingCertificatePem);
    const rootCertificate = new x509.X509Certificate(material.rootCertificatePem);
    const signingKey = createPrivateKey({ key: material.signingKeyPem, format: 'pem' });
    if (signingKey.asymmetricKeyType !== 'ec' || signingKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('The satellite signing key must be an EC P-256 key (responses are signed ES256)');
    }
    const publicFromKey = createPublicKey(signingKey).export({ format: 'der', type: 'spki' });
    if (!publicFromKey.equals(Buffer.from(signingCertificate.publicKey.rawData))) {
      throw new Error('The satellite signing key does not belong to the signing certificate');
    }
    if (!(await signingCertificate.verify({ publicKey: rootCertificate.publicKey, signatureOnly: true }, pkiCrypto))) {
      throw new Error('The satellite signing certificate is not signed by the satellite root CA');
    }
    return new SatellitePki({
      material,
      signingKey,
      signingCertificate,
      authorityKeyId: await authorityKeyIdOf(signingCertificate),
      timers: options.timers,
    });
  }

  /** ES256 over the UTF-8 bytes of payload: base64 of the DER ECDSA-SHA256 signature (DESIGN §4.1). */
  sign(payload: string): string {
    return sign('sha256', Buffer.from(payload, 'utf8'), this.#signingKey).toString('base64');
  }

  /** The same signature as the raw 64-byte r‖s (IEEE P1363): PLR codes carry it in base58 (DESIGN §9.1). */
  signRaw(payload: string): Uint8Array {
    return sign('sha256', Buffer.from(payload, 'utf8'), { key: this.#signingKey, dsaEncoding: 'ieee-p1363' });
  }

  /**
   * X.509 times have whole seconds, so any milliseconds in `now` are dropped from notBefore and notAfter:
   * the stored times are what the device sees in its certificate.
   */
  async issueDeviceCertificate(input: IssueDeviceCertificateInput): Promise<IdCertificate> {
    const { csr, productInstanceId, udi, now } = input;
    const notBefore = wholeSeconds(now - this.#timers.idCertificateBackdateMs);
    const notAfter = wholeSeconds(now + this.#timers.idCertificateValidityMs);
    const serialHex = randomCertificateSerial();
    const der = this.#deviceCertificates.issue({
      serialHex, notBefore, notAfter, spki: csr.publicKeyDer,
      // CN is the product instance id (DESIGN §4.5); the UDI follows the Cisco SUDI convention of
      // serialNumber = "PID:<pid> SN:<serial>", which admins recognise in `openssl x509 -subject` output.
      commonName: productInstanceId,
      serialNumberAttribute: `PID:${udi.pid} SN:${udi.serialNumber}`,
    });
    return {
      serial: normalizeSerial(serialHex),
      productInstanceId,
      keyAlgorithm: csr.keyAlgorithm,
      publicKeyDer: csr.publicKeyDer,
      pem: toPem(der, 'CERTIFICATE'),
      notBefore,
      notAfter,
      issuedAt: now,
      revokedAt: null,
    };
  }
}

function wholeSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000;
}

/** Reuses the signing certificate's own SKI so device certificates chain by key id even if it was made elsewhere. */
async function authorityKeyIdOf(certificate: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski !== null) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(certificate.publicKey, false, pkiCrypto);
}
