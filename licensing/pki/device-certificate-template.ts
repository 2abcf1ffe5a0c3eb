import { createHash, sign, type KeyObject } from 'node:crypto';
import { bytesOf, contentOf, encode, encodeDirectoryString, encodePositiveInteger, encodeTime, readChildren, readWhole, TAG } from './der.js';

export interface DeviceCertificateFields {
  serialHex: string;
  notBefore: number;
  notAfter: number;
  commonName: string;
  /** X.520 serialNumber attribute (2.5.4.5). */
  serialNumberAttribute: string;
  /** The device's SubjectPublicKeyInfo DER, embedded as is. */
  spki: Uint8Array;
}

// Pre-encoded constant parts (RFC 5280): every device certificate has the same shape, so only the serial,
// validity, subject, key and key identifier change from one certificate to the next.
const VERSION_3 = Buffer.from('a003020102', 'hex');
const ECDSA_WITH_SHA256 = Buffer.from('300a06082a8648ce3d040302', 'hex');
const OID_COMMON_NAME = Buffer.from('0603550403', 'hex');
const OID_SERIAL_NUMBER = Buffer.from('0603550405', 'hex');
/** basicConstraints critical CA:FALSE, keyUsage critical digitalSignature, extKeyUsage clientAuth. */
const FIXED_EXTENSIONS = Buffer.from(
  '300c0603551d130101ff04023000' + '300e0603551d0f0101ff0404030207' + '80' + '30130603551d25040c300a06082b06010505070302',
  'hex',
);
const OID_SUBJECT_KEY_ID = Buffer.from('0603551d0e', 'hex');

/**
 * Issues device ID certificates by filling a DER template and signing it with node:crypto, instead of
 * building them through @peculiar/x509's ASN.1 schema (about 2 ms per certificate, most of a REGISTER).
 * The result is the certificate the generator made before: same fields, same string types, same extensions
 * in the same order; test/integration/pki checks it with `openssl verify -x509_strict`.
 */
export class DeviceCertificateTemplate {
  readonly #issuerName: Buffer;
  readonly #authorityKeyIdExtension: Buffer;
  readonly #signingKey: KeyObject;

  /**
   * @param signingCertificateDer the issuing certificate, whose subject Name is copied byte for byte as issuer
   * @param authorityKeyIdExtension the complete authorityKeyIdentifier Extension DER naming the issuing key
   */
  constructor(signingCertificateDer: Uint8Array, authorityKeyIdExtension: Uint8Array, signingKey: KeyObject) {
    this.#issuerName = subjectNameOf(signingCertificateDer);
    this.#authorityKeyIdExtension = Buffer.from(authorityKeyIdExtension);
    this.#signingKey = signingKey;
  }

  /** The signed certificate DER (ECDSA with SHA-256 by the EC P-256 signing key). */
  issue(fields: DeviceCertificateFields): Buffer {
    const tbs = encode(TAG.SEQUENCE,
      VERSION_3,
      encodePositiveInteger(fields.serialHex),
      ECDSA_WITH_SHA256,
      this.#issuerName,
      encode(TAG.SEQUENCE, encodeTime(fields.notBefore), encodeTime(fields.notAfter)),
      encode(TAG.SEQUENCE,
        encode(TAG.SET, encode(TAG.SEQUENCE, OID_COMMON_NAME, encodeDirectoryString(fields.commonName))),
        encode(TAG.SET, encode(TAG.SEQUENCE, OID_SERIAL_NUMBER, encodeDirectoryString(fields.serialNumberAttribute)))),
      fields.spki,
      encode(TAG.CONTEXT_3, encode(TAG.SEQUENCE,
        FIXED_EXTENSIONS,
        encode(TAG.SEQUENCE, OID_SUBJECT_KEY_ID, encode(TAG.OCTET_STRING, encode(TAG.OCTET_STRING, subjectKeyId(fields.spki)))),
        this.#authorityKeyIdExtension)));
    // node signs ECDSA in the DER (r, s) form that X.509 signatureValue carries.
    const signature = sign('sha256', tbs, this.#signingKey);
    return encode(TAG.SEQUENCE, tbs, ECDSA_WITH_SHA256, encode(TAG.BIT_STRING, Buffer.from([0]), signature));
  }
}

/** RFC 5280 4.2.1.2 method 1, as @peculiar/x509 computed it: SHA-1 of the subjectPublicKey BIT STRING bits. */
export function subjectKeyId(spki: Uint8Array): Buffer {
  const root = readWhole(spki);
  const parts = root && root.tag === TAG.SEQUENCE ? readChildren(spki, root) : null;
  const bits = parts?.[1];
  if (!parts || parts.length !== 2 || !bits || bits.tag !== TAG.BIT_STRING) throw new Error('not a SubjectPublicKeyInfo');
  return createHash('sha1').update(contentOf(spki, bits).subarray(1)).digest();
}

function subjectNameOf(certificateDer: Uint8Array): Buffer {
  const certificate = readWhole(certificateDer);
  const tbs = certificate ? readChildren(certificateDer, certificate)?.[0] : undefined;
  const fields = tbs ? readChildren(certificateDer, tbs) : null;
  // version [0], serialNumber, signature, issuer, validity, subject
  const subject = fields?.[0]?.tag === TAG.CONTEXT_0 ? fields[5] : fields?.[4];
  if (!subject || subject.tag !== TAG.SEQUENCE) throw new Error('The signing certificate has no readable subject name');
  return bytesOf(certificateDer, subject);
}
