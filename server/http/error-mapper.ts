import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { DomainError, type DomainErrorCode } from '../../licensing/shared/domain-error.js';

/** The one place where error codes become HTTP statuses. */
const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATABASE_TOO_NEW: 503,
};

export function httpStatusFor(error: DomainError): number {
  return STATUS_BY_CODE[error.code];
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; requestId: string };
}

/** Translates body-parser failures (malformed JSON, too large) into domain errors with clear messages. */
export function toDomainError(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  if (typeof error === 'object' && error !== null && 'type' in error) {
    const type = (error as { type: unknown }).type;
    if (type === 'entity.too.large') return new DomainError('PAYLOAD_TOO_LARGE', 'request body is larger than allowed');
    if (type === 'entity.parse.failed') return new DomainError('VALIDATION_FAILED', 'request body is not valid JSON');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'request body encoding is not supported');
    }
    if (type === 'request.aborted' || type === 'request.size.invalid') {
      return new DomainError('VALIDATION_FAILED', 'request body was incomplete');
    }
  }
  return null;
}

export function errorBody(error: DomainError, requestId: string): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      requestId,
    },
  };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const requestId = String(res.getHeader('x-request-id') ?? '');
    const domain = toDomainError(error);
    if (domain) {
      res.status(httpStatusFor(domain)).json(errorBody(domain, requestId));
      return;
    }
    logger.error({ err: error, requestId, path: req.path }, 'unexpected error');
    res.status(500).json(errorBody(new DomainError('INTERNAL', 'internal error; see the satellite log'), requestId));
  };
}
