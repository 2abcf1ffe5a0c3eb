import { randomBytes, type webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { MS_PER_HOUR } from '../shared/clock.js';
import { ValidationError } from '../shared/domain-error.js';

/** The satellite's key material as it is kept on disk (DESIGN §4.5). Keys are PKCS#8 PEM. */
export interface PkiMaterial {
  rootCertificatePem: string;
  rootKeyPem: string;
  signingCertificatePem: string;
  signingKeyPem: string;
  tlsCertificatePem: string;
  tlsKeyPem: string;
}

export interface GeneratePkiOptions {
  /** Epoch milliseconds; validity periods start here (notBefore is backdated by an hour). */
  now: number;
  /** Names the TLS certificate answers to: DNS names and IPv4/IPv6 literals. */
  hostNames: string[];
  /** Base of the CA subject names, e.g. the satellite's name. */
  commonName?: string;
}

/** Set before any @peculiar/x509 call in licensing/pki so all of them use Node's WebCrypto. */
export const pkiCrypto: webcrypto.Crypto = installX509CryptoProvider();

function installX509CryptoProvider(): webcrypto.Crypto {
  x509.cryptoProvider.set(globalThis.crypto);
  return globalThis.crypto;
}

export const ECDSA_P256: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
export const ECDSA_SHA256: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

const BACKDATE_MS = MS_PER_HOUR;
const ORGANIZATION = 'License Satellite';

/**
 * 16 random bytes as hex, positive and without a leading zero byte, so the DER INTEGER is always exactly
 * 16 bytes (RFC 5280 allows up to 20) and the hex text round-trips through normalizeSerial unchanged.
 */
export function randomCertificateSerial(): string {
  const bytes = randomBytes(16);
  const first = (bytes[0] ?? 0) & 0x7f;
  bytes[0] = first === 0 ? 0x01 : first;
  return bytes.toString('hex');
}

export async function generatePkiMaterial(options: GeneratePkiOptions): Promise<PkiMaterial> {
  const hostNames = normalizeHostNames(options.hostNames);
  const baseName = options.commonName?.trim() || ORGANIZATION;
  const notBefore = new Date(options.now - BACKDATE_MS);
  const serials = uniqueSerials(3);

  const rootKeys = await generateP256();
  const rootName = subjectName(`${baseName} Root CA`);
  const rootSki = await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey);
  const root = await x509.X509CertificateGenerator.create({
    serialNumber: serials[0],
    subject: rootName,
    issuer: rootName,
    notBefore,
    notAfter: addYears(options.now, 20),
    publicKey: rootKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      rootSki,
    ],
  });
  const rootAki = new x509.AuthorityKeyIdentifierExtension(rootSki.keyId);

  // pathLen 0: the signing certificate issues device ID certificates, never further CAs.
  const signingKeys = await generateP256();
  const signing = await x509.X509CertificateGenerator.create({
    serialNumber: serials[1],
    subject: subjectName(`${baseName} Signing`),
    issuer: root.subjectName,
    notBefore,
    notAfter: addYears(options.now, 10),
    publicKey: signingKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      await x509.SubjectKeyIdentifierExtension.create(signingKeys.publicKey),
      rootAki,
    ],
  });

  const tls = await issueTls({ rootKey: rootKeys.privateKey, issuer: root.subjectName, rootAki, hostNames, now: options.now, serial: serials[2] });

  return {
    rootCertificatePem: root.toString('pem'),
    rootKeyPem: await exportPrivateKeyPem(rootKeys.privateKey),
    signingCertificatePem: signing.toString('pem'),
    signingKeyPem: await exportPrivateKeyPem(signingKeys.privateKey),
    ...tls,
  };
}

export interface TlsReissueOptions {
  rootCertificatePem: string;
  rootKeyPem: string;
  hostNames: string[];
  now: number;
}

/**
 * A new TLS server certificate (and key) for these host names under the existing root: devices that trust
 * root.pem trust it at once. Used when SATELLITE_HOSTNAMES changes and by `satellite pki tls-reissue`.
 */
export async function reissueTlsCertificate(options: TlsReissueOptions): Promise<Pick<PkiMaterial, 'tlsCertificatePem' | 'tlsKeyPem'>> {
  const root = new x509.X509Certificate(options.rootCertificatePem);
  const rootKey = await pkiCrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(options.rootKeyPem), ECDSA_P256, false, ['sign']);
  const ski = root.getExtension(x509.SubjectKeyIdentifierExtension);
  const rootAki = ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : await x509.AuthorityKeyIdentifierExtension.create(root.publicKey, false, pkiCrypto);
  return issueTls({ rootKey, issuer: root.subjectName, rootAki, hostNames: normalizeHostNames(options.hostNames), now: options.now, serial: randomCertificateSerial() });
}

/** The DNS names and IP addresses a TLS certificate is valid for, in its order. */
export function tlsCertificateHostNames(certificatePem: string): string[] {
  const san = new x509.X509Certificate(certificatePem).getExtension(x509.SubjectAlternativeNameExtension);
  return (san?.names.toJSON() ?? []).filter((n) => n.type === 'dns' || n.type === 'ip').map((n) => n.value);
}

/** Whether a configured host list is the one a certificate carries (order and case aside). */
export function sameHostNames(a: readonly string[], b: readonly string[]): boolean {
  const norm = (list: readonly string[]) => [...new Set(list.map((n) => n.trim().toLowerCase()).filter(Boolean))].sort().join(',');
  return norm(a) === norm(b);
}

async function issueTls(input: {
  rootKey: webcrypto.CryptoKey; issuer: string | x509.Name; rootAki: x509.AuthorityKeyIdentifierExtension; hostNames: string[]; now: number; serial: string | undefined;
}): Promise<Pick<PkiMaterial, 'tlsCertificatePem' | 'tlsKeyPem'>> {
  const tlsKeys = await generateP256();
  const tls = await x509.X509CertificateGenerator.create({
    serialNumber: input.serial ?? randomCertificateSerial(),
    subject: subjectName(input.hostNames[0] ?? ORGANIZATION),
    issuer: input.issuer,
    notBefore: new Date(input.now - BACKDATE_MS),
    notAfter: addYears(input.now, 2),
    publicKey: tlsKeys.publicKey,
    signingKey: input.rootKey,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(input.hostNames.map(generalName)),
      await x509.SubjectKeyIdentifierExtension.create(tlsKeys.publicKey),
      input.rootAki,
    ],
  });
  return { tlsCertificatePem: tls.toString('pem'), tlsKeyPem: await exportPrivateKeyPem(tlsKeys.privateKey) };
}

function uniqueSerials(count: number): string[] {
  const serials = new Set<string>();
  while (serials.size < count) serials.add(randomCertificateSerial());
  return [...serials];
}

async function generateP256(): Promise<webcrypto.CryptoKeyPair> {
  return pkiCrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
}

async function exportPrivateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await pkiCrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** JSON form, not a DN string, so names with commas or '=' need no escaping. */
function subjectName(commonName: string): x509.JsonName {
  return [{ CN: [commonName] }, { O: [ORGANIZATION] }];
}

/** Calendar years, so a 20-year root ends on the same day of the year it started. */
function addYears(epochMs: number, years: number): Date {
  const date = new Date(epochMs);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date;
}

function normalizeHostNames(hostNames: string[]): string[] {
  const unique = [...new Set(hostNames.map((name) => name.trim()).filter((name) => name !== ''))];
  if (unique.length === 0) {
    throw new ValidationError('The TLS certificate needs at least one host name');
  }
  for (const name of unique) {
    if (!isIpLiteral(name) && !/^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(name)) {
      throw new ValidationError(`'${name}' is neither a DNS name nor an IP address`, { hostName: name });
    }
  }
  return unique;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Deliberately loose: anything with a colon cannot be a DNS name, and the SAN encoder rejects malformed groups.
const IPV6 = /^[0-9A-Fa-f:]+$/;

function isIpLiteral(name: string): boolean {
  return IPV4.test(name) || (name.includes(':') && IPV6.test(name));
}

function generalName(name: string): x509.JsonGeneralName {
  return isIpLiteral(name) ? { type: 'ip', value: name } : { type: 'dns', value: name };
}
