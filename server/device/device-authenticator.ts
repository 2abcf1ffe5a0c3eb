import { normalizeSerial, type CertificateKey, type ProductInstance } from '../../licensing/instances/product-instance.js';
import type { DeviceSignatureInput } from '../../licensing/pki/signature-verifier.js';
import { DeviceRequestError } from '../../licensing/shared/domain-error.js';
import type { InstanceReplay } from '../../licensing/device/instance-replay.js';
import type { Repositories } from '../../licensing/shared/unit-of-work.js';
import { isStrictBase64 } from '../../protocol/signed-envelope.js';
import type { ParsedDeviceRequest } from './device-request-parser.js';

/** The instance a signed request names and the ID certificate its key_id names, as read before verifying. */
export interface DeviceCredential {
  instance: ProductInstance;
  certificate: CertificateKey;
  signature: DeviceSignatureInput;
}

/**
 * Proving a signed request comes from the holder of the product instance's current ID certificate
 * (DESIGN §4.1) happens in three steps, so the costly middle one runs off the write transaction (and off the
 * event loop, on the crypto worker pool):
 * 1. findDeviceCredential (a read): the key_id must name a certificate of that instance with the same alg;
 * 2. the signature must verify with that certificate's key (SignatureChecker);
 * 3. assertCredentialCurrent: the certificate must be neither revoked (renewed, deregistered) nor expired,
 *    the instance registered; inside the write transaction confirmDevice repeats 1 and 3 against the
 *    committed state, so a renewal or deregistration that committed meanwhile is seen. A serial always
 *    names the same key, so the signature verified in step 2 stays proven. When the instance's change stamp
 *    (stillAsRead) shows nothing changed since step 1, there is nothing to repeat.
 * The refusals and their order are those of the former single-step check.
 */
export function findDeviceCredential(repos: Repositories, request: ParsedDeviceRequest): DeviceCredential {
  const { instance, certificate } = lookUp(repos, request);
  return credentialFor(request, instance, certificate);
}

/** The credential of a request whose instance and certificate were looked up (here, or on the device read worker). */
export function credentialFor(request: ParsedDeviceRequest, instance: ProductInstance, certificate: CertificateKey): DeviceCredential {
  const signature = request.signature;
  if (!signature || !isStrictBase64(signature.value)) throw new DeviceRequestError('SIGNATURE_INVALID', 'signature value is not valid base64');
  return {
    instance, certificate,
    signature: { algorithm: certificate.keyAlgorithm, publicKeyDer: certificate.publicKeyDer, payload: request.payload, signatureBase64: signature.value },
  };
}

export function assertCredentialCurrent(instance: ProductInstance, certificate: CertificateKey, now: number): void {
  if (certificate.revokedAt !== null) {
    throw new DeviceRequestError('CERT_REVOKED', `ID certificate ${certificate.serial} was revoked; register again or use the renewed certificate`);
  }
  if (now >= certificate.notAfter) {
    throw new DeviceRequestError('CERT_EXPIRED', `ID certificate ${certificate.serial} expired at ${new Date(certificate.notAfter).toISOString()}`);
  }
  if (instance.registrationState !== 'REGISTERED') {
    throw new DeviceRequestError('UNKNOWN_PRODUCT_INSTANCE', `product instance ${instance.id} is not registered`);
  }
}

/** Steps 1 and 3 again inside the write transaction, for a request whose signature was verified before it. */
export function confirmDevice(repos: Repositories, request: ParsedDeviceRequest, now: number): ProductInstance {
  const { instance, certificate } = lookUp(repos, request);
  assertCredentialCurrent(instance, certificate, now);
  return instance;
}

function lookUp(repos: Repositories, request: ParsedDeviceRequest): { instance: ProductInstance; certificate: CertificateKey } {
  const instanceId = request.message.sender.product_instance_id;
  const instance = instanceId ? repos.instances.findById(instanceId) : undefined;
  if (!instance) throw new DeviceRequestError('UNKNOWN_PRODUCT_INSTANCE', `product instance ${instanceId ?? '(none)'} is not known to this satellite`);
  const signature = request.signature;
  if (!signature) throw new DeviceRequestError('SIGNATURE_INVALID', `${request.message.type} must be signed with the ID certificate key`);
  // The instance row keeps its current certificate's key (migration 0018): the usual request reads no certificate.
  const serial = normalizeSerial(signature.key_id);
  const certificate = instance.currentCertificate?.serial === serial ? instance.currentCertificate : repos.certificates.findKeyBySerial(serial);
  if (!certificate || certificate.productInstanceId !== instance.id) {
    throw new DeviceRequestError('SIGNATURE_INVALID', 'key_id does not name an ID certificate of this product instance');
  }
  if (certificate.keyAlgorithm !== signature.alg) {
    throw new DeviceRequestError('SIGNATURE_INVALID', `alg ${signature.alg} does not match the ${certificate.keyAlgorithm} certificate key`);
  }
  return { instance, certificate };
}

/**
 * Whether the instance and its replay record are still as a read before this transaction saw them (migration 0018:
 * the row's revision counts its writes and its certificates' revocations; every saved answer counts in the
 * record). Then that read's credential checks hold unchanged; otherwise the caller reads again (confirmDevice).
 * Instance ids are never reused (newId), and the only instances ever deleted (UNREGISTERED and RESERVED ones) are
 * never a credential, so no other row can answer for the one that was read.
 */
export function stillAsRead(repos: Repositories, instance: ProductInstance, replay: InstanceReplay | undefined): boolean {
  if (instance.revision === undefined) return false;
  const stamp = repos.instances.stampOf(instance.id);
  return stamp !== undefined && stamp.revision === instance.revision && stamp.messagesAnswered === (replay?.messagesAnswered ?? null);
}
