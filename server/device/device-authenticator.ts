import { normalizeSerial, type ProductInstance } from '../../licensing/instances/product-instance.js';
import { verifyDeviceSignature } from '../../licensing/pki/signature-verifier.js';
import { DeviceRequestError } from '../../licensing/shared/domain-error.js';
import type { Repositories } from '../../licensing/shared/unit-of-work.js';
import { isStrictBase64 } from '../../protocol/signed-envelope.js';
import type { ParsedDeviceRequest } from './device-request-parser.js';

/**
 * Proves a signed request comes from the holder of the product instance's current ID certificate
 * (DESIGN §4.1): the key_id must name that certificate, the signature must verify with its key, and the
 * certificate must be neither revoked (renewed, deregistered) nor expired.
 */
export function authenticateDevice(repos: Repositories, request: ParsedDeviceRequest, now: number): ProductInstance {
  const instanceId = request.message.sender.product_instance_id;
  const instance = instanceId ? repos.instances.findById(instanceId) : undefined;
  if (!instance) throw new DeviceRequestError('UNKNOWN_PRODUCT_INSTANCE', `product instance ${instanceId ?? '(none)'} is not known to this satellite`);
  const signature = request.signature;
  if (!signature) throw new DeviceRequestError('SIGNATURE_INVALID', `${request.message.type} must be signed with the ID certificate key`);
  const certificate = repos.certificates.findBySerial(normalizeSerial(signature.key_id));
  if (!certificate || certificate.productInstanceId !== instance.id) {
    throw new DeviceRequestError('SIGNATURE_INVALID', 'key_id does not name an ID certificate of this product instance');
  }
  if (certificate.keyAlgorithm !== signature.alg) {
    throw new DeviceRequestError('SIGNATURE_INVALID', `alg ${signature.alg} does not match the ${certificate.keyAlgorithm} certificate key`);
  }
  if (!isStrictBase64(signature.value)) throw new DeviceRequestError('SIGNATURE_INVALID', 'signature value is not valid base64');
  const valid = verifyDeviceSignature({
    algorithm: certificate.keyAlgorithm, publicKeyDer: certificate.publicKeyDer, payload: request.payload,
    signatureBase64: signature.value,
  });
  if (!valid) throw new DeviceRequestError('SIGNATURE_INVALID', 'signature does not verify with the ID certificate key');
  if (certificate.revokedAt !== null) {
    throw new DeviceRequestError('CERT_REVOKED', `ID certificate ${certificate.serial} was revoked; register again or use the renewed certificate`);
  }
  if (now >= certificate.notAfter) {
    throw new DeviceRequestError('CERT_EXPIRED', `ID certificate ${certificate.serial} expired at ${new Date(certificate.notAfter).toISOString()}`);
  }
  if (instance.registrationState !== 'REGISTERED') {
    throw new DeviceRequestError('UNKNOWN_PRODUCT_INSTANCE', `product instance ${instance.id} is not registered`);
  }
  return instance;
}
