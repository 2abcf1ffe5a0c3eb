import { createHash } from 'node:crypto';
import type { DeviceMessageType, DeviceRequest } from '../../protocol/device-message.js';
import { bodySchemas, DEVICE_MESSAGE_TYPES, requestHeaderSchema } from '../../protocol/device-message.js';
import type { EnvelopeSignature } from '../../protocol/signed-envelope.js';
import { formatZodIssues, signedEnvelopeSchema } from '../../protocol/signed-envelope.js';
import type { DeviceErrorCode } from '../../licensing/shared/domain-error.js';
import type { ResponseContext } from './device-response-signer.js';

export interface ParsedDeviceRequest {
  payload: string;
  payloadDigest: string;
  signature: EnvelopeSignature | null;
  message: DeviceRequest;
  context: ResponseContext;
}

/** The envelope itself could not be read: the transport answers HTTP 400 (DESIGN §4.3). */
export interface UnreadableEnvelope { kind: 'unreadable'; reason: string }

/** The envelope was read but the message is refused; answered with a signed FAILED response. */
export interface RefusedMessage {
  kind: 'refused';
  context: ResponseContext;
  code: DeviceErrorCode;
  message: string;
  versionTooHigh?: boolean;
}

export type ParseResult = { kind: 'parsed'; request: ParsedDeviceRequest } | UnreadableEnvelope | RefusedMessage;

const SUPPORTED_MAJOR = 1;

export function parseDeviceRequest(envelopeText: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(envelopeText);
  } catch (error) {
    return { kind: 'unreadable', reason: `envelope is not valid JSON: ${(error as Error).message}` };
  }
  const envelope = signedEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { kind: 'unreadable', reason: `envelope: ${formatZodIssues(envelope.error)}` };
  const { payload, signature } = envelope.data;

  let message: unknown;
  try {
    message = JSON.parse(payload);
  } catch {
    return refused(emptyContext(), 'MALFORMED_MESSAGE', 'payload is not valid JSON');
  }
  const context = bestEffortContext(message);
  const version = isRecord(message) && typeof message.version === 'string' ? message.version : null;
  if (version !== null) {
    const major = Number.parseInt(version.split('.')[0] ?? '', 10);
    if (!Number.isInteger(major) || major < SUPPORTED_MAJOR) {
      return refused(context, 'UNSUPPORTED_VERSION', `protocol version '${version}' is not supported; use 1.0`);
    }
    if (major > SUPPORTED_MAJOR) {
      return { ...refused(context, 'UNSUPPORTED_VERSION', `protocol version '${version}' is newer than 1.0`), versionTooHigh: true };
    }
  }
  const header = requestHeaderSchema.safeParse(message);
  if (!header.success) return refused(context, 'MALFORMED_MESSAGE', formatZodIssues(header.error));
  const body = bodySchemas[header.data.type].safeParse(header.data.body);
  if (!body.success) {
    return refused(context, 'MALFORMED_MESSAGE', formatZodIssues(body.error, ['body']));
  }
  if (header.data.type !== 'REGISTER' && !header.data.sender.product_instance_id) {
    return refused(context, 'MALFORMED_MESSAGE', `sender.product_instance_id is required for ${header.data.type}`);
  }
  return {
    kind: 'parsed',
    request: {
      payload,
      payloadDigest: createHash('sha256').update(payload, 'utf8').digest('hex'),
      signature,
      message: { ...header.data, body: body.data } as DeviceRequest,
      context,
    },
  };
}

function refused(context: ResponseContext, code: DeviceErrorCode, message: string): RefusedMessage {
  return { kind: 'refused', context, code, message };
}

function emptyContext(): ResponseContext {
  return { type: null, messageId: null, nonce: null, productInstanceId: null };
}

/** Echo what can be echoed even from a broken message, so the device can match the refusal. */
function bestEffortContext(message: unknown): ResponseContext {
  if (!isRecord(message)) return emptyContext();
  const type = DEVICE_MESSAGE_TYPES.find((t) => t === message.type) ?? null;
  const sender = isRecord(message.sender) ? message.sender : {};
  return {
    type: type as DeviceMessageType | null,
    messageId: shortString(message.message_id),
    nonce: shortString(message.nonce),
    productInstanceId: shortString(sender.product_instance_id),
  };
}

function shortString(value: unknown): string | null {
  return typeof value === 'string' && value.length <= 64 ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
