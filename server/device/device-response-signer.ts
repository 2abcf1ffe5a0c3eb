import type { DeviceMessageType, DeviceResponse, ResponseStatus } from '../../protocol/device-message.js';
import { PROTOCOL_VERSION } from '../../protocol/device-message.js';

export interface ResponseSigner {
  readonly signingKeyId: string;
  sign(payload: string): string;
}

export interface ResponseContext {
  type: DeviceMessageType | null;
  messageId: string | null;
  nonce: string | null;
  productInstanceId: string | null;
}

export interface ResponseParts {
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  body: Record<string, unknown>;
  productInstanceId?: string | null;
}

/** Builds the DESIGN §4.3 response and wraps it in a signed §4.1 envelope. */
export function signResponse(signer: ResponseSigner, context: ResponseContext, parts: ResponseParts, now: number): string {
  const response: DeviceResponse = {
    version: PROTOCOL_VERSION,
    // A message too broken to tell its type still gets a signed answer; ERROR_RESPONSE names that case.
    type: context.type ? `${context.type}_RESPONSE` : ('ERROR_RESPONSE' as DeviceResponse['type']),
    in_reply_to: context.messageId,
    nonce: context.nonce,
    timestamp: now,
    product_instance_id: parts.productInstanceId === undefined ? context.productInstanceId : parts.productInstanceId,
    status: parts.status,
    error: parts.status === 'OK' ? null : parts.error,
    body: parts.status === 'OK' ? parts.body : {},
  };
  const payload = JSON.stringify(response);
  return JSON.stringify({
    payload,
    signature: { alg: 'ES256', key_id: signer.signingKeyId, value: signer.sign(payload) },
  });
}
