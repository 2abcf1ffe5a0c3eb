/**
 * One error hierarchy for the whole product. Codes are stable API: monitoring tools and devices match on
 * them, so never rename one. HTTP statuses are chosen in exactly one place (server/http/error-mapper.ts).
 */
export type DomainErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'DATABASE_TOO_NEW'
  | 'INTERNAL';

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: DomainErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, key: string) {
    super('NOT_FOUND', `${what} '${key}' was not found`, { what, key });
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFLICT', message, details);
    this.name = 'ConflictError';
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('VALIDATION_FAILED', message, details);
    this.name = 'ValidationError';
  }
}

/** Codes of the device protocol (DESIGN §4.3); they travel in a signed FAILED response, never as HTTP errors. */
export type DeviceErrorCode =
  | 'MALFORMED_MESSAGE'
  | 'UNSUPPORTED_VERSION'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REVOKED'
  | 'TOKEN_EXHAUSTED'
  | 'ALREADY_REGISTERED'
  | 'UNKNOWN_PRODUCT_INSTANCE'
  | 'SIGNATURE_INVALID'
  | 'CERT_EXPIRED'
  | 'CERT_REVOKED'
  | 'REPLAY_DETECTED'
  | 'CLOCK_SKEW'
  | 'CSR_INVALID';

/** A refusal of a device request. `retry` marks transient refusals answered with OK_TRY_AGAIN. */
export class DeviceRequestError extends Error {
  readonly code: DeviceErrorCode;
  readonly retry: boolean;

  constructor(code: DeviceErrorCode, message: string, options: { retry?: boolean } = {}) {
    super(message);
    this.name = 'DeviceRequestError';
    this.code = code;
    this.retry = options.retry ?? false;
  }
}
