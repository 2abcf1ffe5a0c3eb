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

/**
 * Translates body-parser failures into domain errors with clear messages. Every failure of reading a body is
 * the client's (bad bytes, a bad encoding, too much of it), so none may become a 5xx (DESIGN §7).
 */
export function toDomainError(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  if (typeof error !== 'object' || error === null) return null;
  const { type, code, status, encoding, charset } = error as Partial<Record<'type' | 'code' | 'encoding' | 'charset', unknown> & { status: unknown }>;
  switch (type) {
    case 'entity.too.large': return new DomainError('PAYLOAD_TOO_LARGE', 'request body is larger than allowed');
    case 'entity.parse.failed': return new DomainError('VALIDATION_FAILED', 'request body could not be parsed: not valid JSON or form data');
    case 'parameters.too.many': return new DomainError('PAYLOAD_TOO_LARGE', 'request body has too many form parameters (at most 1000)');
    case 'encoding.unsupported':
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding '${String(encoding ?? '?')}' is not supported; send identity, gzip, deflate or br`);
    case 'charset.unsupported':
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', `charset '${String(charset ?? '?')}' is not supported; send UTF-8`);
    case 'request.aborted':
    case 'request.size.invalid':
      return new DomainError('VALIDATION_FAILED', 'request body was incomplete');
    default:
      break;
  }
  // zlib and brotli errors reach us with the decoder's own code (Z_DATA_ERROR, ERR__ERROR_FORMAT_...) and
  // the 400 that body-parser gave them, but no type.
  if (typeof code === 'string' && (/^Z_/.test(code) || /^ERR_(?:_ERROR|BROTLI|ZLIB)/.test(code))) {
    return new DomainError('VALIDATION_FAILED', 'request body could not be decoded with its Content-Encoding (corrupt or truncated gzip, deflate or br data)');
  }
  // Any other failure body-parser marks as the client's (http-errors with a 4xx status).
  if (typeof status === 'number' && status >= 400 && status < 500 && typeof type === 'string') {
    return new DomainError(status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED', `request body could not be read (${type})`);
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
    res.status(500).json(unexpectedErrorBody(logger, error, requestId, req.path));
  };
}

/** A server bug: logged with the request id, answered 500 without details (Express and the device fast path). */
export function unexpectedErrorBody(logger: Logger, error: unknown, requestId: string, path: string): ErrorBody {
  logger.error({ err: error, requestId, path }, 'unexpected error');
  return errorBody(new DomainError('INTERNAL', 'internal error; see the satellite log'), requestId);
}
