/** Base of every error the smart agent throws, so callers can tell agent failures from their own bugs. */
export class AgentError extends Error {
  override readonly name: string = 'AgentError';
}

/**
 * The satellite could not be reached or did not answer with HTTP 200. A protocol FAILED is not this: it
 * arrives as HTTP 200 and is returned to the caller as a response message.
 */
export class DeviceTransportError extends AgentError {
  override readonly name = 'DeviceTransportError';
  /** HTTP status when the satellite answered at all; null for connection failures and timeouts. */
  readonly status: number | null;
  /** The first part of the response body, enough to read an error page or a SOAP fault. */
  readonly bodySnippet: string;

  constructor(message: string, status: number | null = null, bodySnippet = '') {
    super(message);
    this.status = status;
    this.bodySnippet = bodySnippet;
  }
}

/**
 * A response that must not be believed: unreadable, unsigned, signed by a key that does not chain to the
 * trusted root, or answering some other request.
 */
export class ResponseVerificationError extends AgentError {
  override readonly name = 'ResponseVerificationError';
}

/** The agent cannot build the request: not registered yet, no identity, unreadable state. */
export class AgentStateError extends AgentError {
  override readonly name = 'AgentStateError';
}
