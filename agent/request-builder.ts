import { randomBytes, randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION, type DeviceMessageType } from '../protocol/device-message.js';
import type { DeviceKey, KeyAlgorithm } from './device-key.js';

export interface DeviceUdi {
  pid: string;
  serial: string;
  vid?: string | null;
  hostIdentifier?: string | null;
}

export interface DeviceIdentity {
  udi: DeviceUdi;
  productTag: string;
  /** Left out of every request when absent: a device may withhold its hostname and address. */
  hostname?: string | null;
  ipAddress?: string | null;
}

export interface EntitlementRequest {
  tag: string;
  count: number;
}

export interface RequestBodies {
  REGISTER: { id_token: string; csr: string; force: boolean };
  RENEW_ID_CERT: { csr: string };
  AUTHORIZE: { entitlements: EntitlementRequest[] };
  DEREGISTER: Record<string, never>;
}

export interface RequestSender {
  sudi: { udi_pid: string; udi_serial_number: string; udi_vid?: string; host_identifier?: string };
  product_tag: string;
  hostname?: string;
  ip_address?: string;
  product_instance_id?: string;
}

/** The DESIGN §4.2 request message. */
export interface DeviceRequestMessage<T extends DeviceMessageType = DeviceMessageType> {
  version: typeof PROTOCOL_VERSION;
  type: T;
  message_id: string;
  nonce: string;
  timestamp: number;
  sender: RequestSender;
  body: RequestBodies[T];
}

export interface BuildRequestInput<T extends DeviceMessageType> {
  type: T;
  identity: DeviceIdentity;
  /** Required by the satellite for every type but REGISTER. */
  productInstanceId: string | null;
  body: RequestBodies[T];
  now: number;
  messageId?: string;
  nonce?: string;
}

/** The key that signs a request and the serial of the ID certificate that vouches for it. */
export interface RequestSigner {
  key: DeviceKey;
  keyId: string;
}

export interface SealedRequest<T extends DeviceMessageType = DeviceMessageType> {
  request: DeviceRequestMessage<T>;
  /** The exact text that was signed; kept so tests can check the signature. */
  payload: string;
  envelopeText: string;
}

/** 18 random bytes in base64url: 24 characters, inside the satellite's 16-64 [A-Za-z0-9_-] rule. */
export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function buildSender(identity: DeviceIdentity, productInstanceId: string | null): RequestSender {
  const { udi } = identity;
  const sudi: RequestSender['sudi'] = { udi_pid: udi.pid, udi_serial_number: udi.serial };
  if (present(udi.vid)) sudi.udi_vid = udi.vid;
  if (present(udi.hostIdentifier)) sudi.host_identifier = udi.hostIdentifier;
  const sender: RequestSender = { sudi, product_tag: identity.productTag };
  if (present(identity.hostname)) sender.hostname = identity.hostname;
  if (present(identity.ipAddress)) sender.ip_address = identity.ipAddress;
  if (productInstanceId !== null) sender.product_instance_id = productInstanceId;
  return sender;
}

export function buildDeviceRequest<T extends DeviceMessageType>(input: BuildRequestInput<T>): DeviceRequestMessage<T> {
  return {
    version: PROTOCOL_VERSION,
    type: input.type,
    message_id: input.messageId ?? randomUUID(),
    nonce: input.nonce ?? newNonce(),
    timestamp: input.now,
    sender: buildSender(input.identity, input.productInstanceId),
    body: input.body,
  };
}

/**
 * Wraps a request in the DESIGN §4.1 envelope. REGISTER goes unsigned (signer null): the device has no ID
 * certificate yet and the CSR inside proves it holds the key.
 */
export function sealRequest<T extends DeviceMessageType>(request: DeviceRequestMessage<T>, signer: RequestSigner | null): SealedRequest<T> {
  const payload = JSON.stringify(request);
  const signature = signer === null
    ? null
    : { alg: signer.key.algorithm satisfies KeyAlgorithm, key_id: signer.keyId, value: signer.key.sign(payload) };
  return { request, payload, envelopeText: JSON.stringify({ payload, signature }) };
}

/** Refuses what the satellite would refuse anyway, before a key signs it. */
export function checkEntitlementRequest(entitlement: EntitlementRequest): EntitlementRequest {
  if (typeof entitlement.tag !== 'string' || entitlement.tag.trim() === '' || !Number.isSafeInteger(entitlement.count) || entitlement.count < 0) {
    throw new RangeError(`Invalid entitlement ${JSON.stringify(entitlement)}: the tag must be set and the count a whole number >= 0`);
  }
  return { tag: entitlement.tag, count: entitlement.count };
}

function present(value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value.trim() !== '';
}
