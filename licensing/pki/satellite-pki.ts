import { createPrivateKey, createPublicKey, sign, type KeyObject, type webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { IdCertificate, Udi } from '../instances/product-instance.js';
import { normalizeSerial } from '../instances/product-instance.js';
import type { LicensingTimers } from '../shared/licensing-timers.js';
import type { DeviceCertificateIssuer } from './device-certificate-issuer.js';
import type { ParsedCsr } from './device-csr.js';
import { ECDSA_P256, ECDSA_SHA256, pkiCrypto, randomCertificateSerial, type PkiMaterial } from './pki-material.js';

export interface IssueDeviceCertificateInput {
  csr: ParsedCsr;
  productInstanceId: string;
  udi: Udi;
  /** Epoch milliseconds. */
  now: number;
}

/** OID of the X.520 serialNumber attribute, where Cisco SUDI certificates carry "PID:<pid> SN:<serial>". */
const SERIAL_NUMBER_OID = '2.5.4.5';

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
  readonly #issuingKey: webcrypto.CryptoKey;
  readonly #signingCertificate: x509.X509Certificate;
  readonly #authorityKeyId: x509.AuthorityKeyIdentifierExtension;
  readonly #timers: LicensingTimers;

  private constructor(init: {
    material: PkiMaterial;
    signingKey: KeyObject;
    issuingKey: webcrypto.CryptoKey;
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
    this.#issuingKey = init.issuingKey;
    this.#signingCertificate = init.signingCertificate;
    this.#authorityKeyId = init.authorityKeyId;
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
    const pkcs8 = signingKey.export({ format: 'der', type: 'pkcs8' });
    const issuingKey = await pkiCrypto.subtle.importKey('pkcs8', pkcs8, ECDSA_P256, false, ['sign']);
    return new SatellitePki({
      material,
      signingKey,
      issuingKey,
      signingCertificate,
      authorityKeyId: await authorityKeyIdOf(signingCertificate),
      timers: options.timers,
    });
  }

  /** ES256 over the UTF-8 bytes of payload: base64 of the DER ECDSA-SHA256 signature (DESIGN §4.1). */
  sign(payload: string): string {
    return sign('sha256', Buffer.from(payload, 'utf8'), this.#signingKey).toString('base64');
  }

  /**
   * notBefore and notAfter are read back from the certificate, so they are what the device sees: X.509
   * times have whole seconds, and any milliseconds in `now` are dropped.
   */
  async issueDeviceCertificate(input: IssueDeviceCertificateInput): Promise<IdCertificate> {
    const { csr, productInstanceId, udi, now } = input;
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomCertificateSerial(),
      subject: deviceSubject(productInstanceId, udi),
      issuer: this.#signingCertificate.subjectName,
      notBefore: new Date(now - this.#timers.idCertificateBackdateMs),
      notAfter: new Date(now + this.#timers.idCertificateValidityMs),
      publicKey: csr.publicKey,
      signingKey: this.#issuingKey,
      signingAlgorithm: ECDSA_SHA256,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        await x509.SubjectKeyIdentifierExtension.create(csr.publicKey, false, pkiCrypto),
        this.#authorityKeyId,
      ],
    });
    return {
      serial: normalizeSerial(certificate.serialNumber),
      productInstanceId,
      keyAlgorithm: csr.keyAlgorithm,
      publicKeyDer: csr.publicKeyDer,
      pem: certificate.toString('pem'),
      notBefore: certificate.notBefore.getTime(),
      notAfter: certificate.notAfter.getTime(),
      issuedAt: now,
      revokedAt: null,
    };
  }
}

/**
 * CN is the product instance id (DESIGN §4.5); the UDI follows the Cisco SUDI convention of
 * serialNumber = "PID:<pid> SN:<serial>", which admins recognise in `openssl x509 -subject` output.
 */
function deviceSubject(productInstanceId: string, udi: Udi): x509.JsonName {
  return [{ CN: [productInstanceId] }, { [SERIAL_NUMBER_OID]: [`PID:${udi.pid} SN:${udi.serialNumber}`] }];
}

/** Reuses the signing certificate's own SKI so device certificates chain by key id even if it was made elsewhere. */
async function authorityKeyIdOf(certificate: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski !== null) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(certificate.publicKey, false, pkiCrypto);
}
