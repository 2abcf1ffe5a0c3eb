import { z } from 'zod';
import type { DeviceMessageType } from '../protocol/device-message.js';
import { formatZodIssues } from '../protocol/signed-envelope.js';
import { ResponseVerificationError } from './agent-errors.js';

const epochMs = z.number().int().nonnegative();

const identityBodySchema = z.object({
  id_certificate: z.string().min(1),
  certificate_chain: z.array(z.string().min(1)).min(1),
  registration: z.object({
    status: z.literal('REGISTERED'),
    registered_at: epochMs,
    expires_at: epochMs,
    next_renewal_at: epochMs,
  }),
  smart_account: z.string(),
  virtual_account: z.string(),
  export_control: z.enum(['ALLOWED', 'NOT_ALLOWED']),
});

const entitlementAuthorizationSchema = z.object({
  tag: z.string(),
  requested: z.number().int().nonnegative(),
  status: z.enum(['AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NOT_AUTHORIZED', 'INVALID_TAG', 'RESERVED_AUTHORIZED']),
  display_name: z.string().nullish().transform((value) => value ?? null),
  description: z.string().nullish().transform((value) => value ?? null),
});

const authorizationBodySchema = z.object({
  authorization: z.object({
    status: z.enum(['AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NO_LICENSES_IN_USE']),
    authorized_at: epochMs,
    expires_at: epochMs,
    next_renewal_at: epochMs,
    entitlements: z.array(entitlementAuthorizationSchema),
  }),
});

const deregisterBodySchema = z.object({
  registration: z.object({ status: z.literal('UNREGISTERED') }),
});

const responseHeaderSchema = z.object({
  version: z.string(),
  type: z.string(),
  in_reply_to: z.string().nullable(),
  nonce: z.string().nullable(),
  timestamp: epochMs,
  product_instance_id: z.string().nullable(),
  status: z.enum(['OK', 'FAILED', 'OK_TRY_AGAIN', 'VERSION_TOO_HIGH']),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  body: z.record(z.string(), z.unknown()),
});

export type IdentityResponseBody = z.infer<typeof identityBodySchema>;
export type AuthorizationResponseBody = z.infer<typeof authorizationBodySchema>;
export type AuthorizationResult = AuthorizationResponseBody['authorization'];
export type EntitlementResult = z.infer<typeof entitlementAuthorizationSchema>;
export type DeregisterResponseBody = z.infer<typeof deregisterBodySchema>;

export interface ResponseBodies {
  REGISTER: IdentityResponseBody;
  RENEW_ID_CERT: IdentityResponseBody;
  AUTHORIZE: AuthorizationResponseBody;
  DEREGISTER: DeregisterResponseBody;
}

const bodySchemas = {
  REGISTER: identityBodySchema,
  RENEW_ID_CERT: identityBodySchema,
  AUTHORIZE: authorizationBodySchema,
  DEREGISTER: deregisterBodySchema,
} as const;

interface ResponseHeader {
  version: string;
  in_reply_to: string | null;
  nonce: string | null;
  timestamp: number;
  product_instance_id: string | null;
}

/** DESIGN §4.3, narrowed by status: an OK carries the typed body, anything else carries the error. */
export type DeviceResponseFor<T extends DeviceMessageType> =
  | (ResponseHeader & { type: `${T}_RESPONSE`; status: 'OK'; error: null; body: ResponseBodies[T] })
  | (ResponseHeader & {
      /** ERROR_RESPONSE is what the satellite calls an answer to a message it could not classify. */
      type: `${T}_RESPONSE` | 'ERROR_RESPONSE';
      status: 'FAILED' | 'OK_TRY_AGAIN' | 'VERSION_TOO_HIGH';
      error: { code: string; message: string };
      body: Record<string, never>;
    });

export type RegisterResponse = DeviceResponseFor<'REGISTER'>;
export type RenewResponse = DeviceResponseFor<'RENEW_ID_CERT'>;
export type AuthorizeResponse = DeviceResponseFor<'AUTHORIZE'>;
export type DeregisterResponse = DeviceResponseFor<'DEREGISTER'>;
export type AnyDeviceResponse = DeviceResponseFor<DeviceMessageType>;

/** Checks the response payload against DESIGN §4.3 for the request type it answers. */
export function parseResponseMessage<T extends DeviceMessageType>(message: unknown, requestType: T): DeviceResponseFor<T> {
  const header = responseHeaderSchema.safeParse(message);
  if (!header.success) throw malformed(formatZodIssues(header.error));
  const { version, type, in_reply_to, nonce, timestamp, product_instance_id, status, error, body } = header.data;
  // Field order as in DESIGN §4.3, so a printed response reads like the documentation.
  const correlation = { in_reply_to, nonce, timestamp, product_instance_id };
  const expectedType = `${requestType}_RESPONSE` as const;
  if (status !== 'OK') {
    if (type !== expectedType && type !== 'ERROR_RESPONSE') throw wrongType(type, expectedType);
    if (error === null) throw malformed(`status ${status} without an error`);
    return { version, type, ...correlation, status, error, body: {} };
  }
  if (type !== expectedType) throw wrongType(type, expectedType);
  const parsedBody = bodySchemas[requestType].safeParse(body);
  if (!parsedBody.success) throw malformed(`body: ${formatZodIssues(parsedBody.error)}`);
  // The schema for requestType produced this body, so it is ResponseBodies[T]; TypeScript cannot follow
  // an indexed access through a generic key.
  return { version, type: expectedType, ...correlation, status, error: null, body: parsedBody.data as ResponseBodies[T] };
}

function malformed(detail: string): ResponseVerificationError {
  return new ResponseVerificationError(`The satellite response is not a valid protocol message: ${detail}`);
}

function wrongType(type: string, expected: string): ResponseVerificationError {
  return new ResponseVerificationError(`The satellite answered with ${type.slice(0, 64)} where ${expected} was expected`);
}
