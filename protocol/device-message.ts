import { z } from 'zod';

export const PROTOCOL_VERSION = '1.0';
export const DEVICE_MESSAGE_TYPES = ['REGISTER', 'RENEW_ID_CERT', 'AUTHORIZE', 'DEREGISTER'] as const;
export type DeviceMessageType = (typeof DEVICE_MESSAGE_TYPES)[number];

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullish().transform((v) => (v ? v : null));

export const sudiSchema = z.object({
  udi_pid: text(64),
  udi_serial_number: text(64),
  udi_vid: optionalText(32),
  host_identifier: optionalText(64),
});

export const senderSchema = z.object({
  sudi: sudiSchema,
  product_tag: text(256),
  hostname: optionalText(253),
  ip_address: optionalText(64),
  product_instance_id: z.uuid().nullish(),
});

/** Fields common to every request; the body is checked per type once the version is known to be ours. */
export const requestHeaderSchema = z.object({
  version: z.string().max(16),
  type: z.enum(DEVICE_MESSAGE_TYPES),
  message_id: z.uuid(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'nonce must be 16-64 characters of [A-Za-z0-9_-]'),
  timestamp: z.number().int().nonnegative(),
  sender: senderSchema,
  body: z.record(z.string(), z.unknown()),
});

const csrSchema = z.string().min(64).max(16 * 1024);

export const registerBodySchema = z.object({
  // Tokens are pasted by hand; a stray space or newline around one is not part of it.
  id_token: z.string().trim().min(1).max(512),
  csr: csrSchema,
  force: z.boolean().optional().default(false),
});
export const renewBodySchema = z.object({ csr: csrSchema });
export const entitlementRequestSchema = z.object({
  tag: z.string().min(1).max(256),
  count: z.number().int().nonnegative().max(1_000_000_000),
});
export const authorizeBodySchema = z.object({
  entitlements: z.array(entitlementRequestSchema).max(500),
});
export const deregisterBodySchema = z.object({});

export type RequestHeader = z.infer<typeof requestHeaderSchema>;
export type RegisterBody = z.infer<typeof registerBodySchema>;
export type RenewBody = z.infer<typeof renewBodySchema>;
export type AuthorizeBody = z.infer<typeof authorizeBodySchema>;
export type Sender = z.infer<typeof senderSchema>;

export type DeviceRequest =
  | (RequestHeader & { type: 'REGISTER'; body: RegisterBody })
  | (RequestHeader & { type: 'RENEW_ID_CERT'; body: RenewBody })
  | (RequestHeader & { type: 'AUTHORIZE'; body: AuthorizeBody })
  | (RequestHeader & { type: 'DEREGISTER'; body: Record<string, never> });

export const bodySchemas = {
  REGISTER: registerBodySchema,
  RENEW_ID_CERT: renewBodySchema,
  AUTHORIZE: authorizeBodySchema,
  DEREGISTER: deregisterBodySchema,
} as const;

export type ResponseStatus = 'OK' | 'FAILED' | 'OK_TRY_AGAIN' | 'VERSION_TOO_HIGH';

export interface DeviceResponse {
  version: string;
  type: `${DeviceMessageType}_RESPONSE`;
  in_reply_to: string | null;
  nonce: string | null;
  timestamp: number;
  product_instance_id: string | null;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  body: Record<string, unknown>;
}

export interface RegistrationInfo {
  status: 'REGISTERED';
  registered_at: number;
  expires_at: number;
  next_renewal_at: number;
}

export interface IdentityResponseBody {
  id_certificate: string;
  certificate_chain: string[];
  registration: RegistrationInfo;
  smart_account: string;
  virtual_account: string;
  export_control: 'ALLOWED' | 'NOT_ALLOWED';
}

export interface EntitlementAuthorization {
  tag: string;
  requested: number;
  status: 'AUTHORIZED' | 'OUT_OF_COMPLIANCE' | 'NOT_AUTHORIZED' | 'INVALID_TAG' | 'RESERVED_AUTHORIZED';
  display_name: string | null;
  description: string | null;
}

export interface AuthorizeResponseBody {
  authorization: {
    status: 'AUTHORIZED' | 'OUT_OF_COMPLIANCE' | 'NO_LICENSES_IN_USE';
    authorized_at: number;
    expires_at: number;
    next_renewal_at: number;
    entitlements: EntitlementAuthorization[];
  };
}
