export { AgentError, AgentStateError, DeviceTransportError, ResponseVerificationError } from './agent-errors.js';
export { normalizeSerial } from './agent-crypto.js';
export {
  FileAgentStateStore, MemoryAgentStateStore, agentStateSchema, parseAgentState,
  type AgentAuthorizationState, type AgentRegistrationState, type AgentState, type AgentStateStore,
} from './agent-state-store.js';
export { DeviceKey, type KeyAlgorithm } from './device-key.js';
export {
  CallHomeTransport, InProcessTransport, JsonTransport, TRANSPORT_PATHS, createTransport, transportFor, transportKindForUrl,
  type DeviceTransport, type InProcessSend, type TransportKind, type TransportOptions,
} from './device-transport.js';
export { DEFAULT_TIMEOUT_MS, type HttpReply } from './http-post.js';
export {
  buildDeviceRequest, buildSender, checkEntitlementRequest, newNonce, sealRequest,
  type BuildRequestInput, type DeviceIdentity, type DeviceRequestMessage, type DeviceUdi, type EntitlementRequest,
  type RequestBodies, type RequestSender, type RequestSigner, type SealedRequest,
} from './request-builder.js';
export {
  parseResponseMessage,
  type AnyDeviceResponse, type AuthorizationResponseBody, type AuthorizationResult, type AuthorizeResponse,
  type DeregisterResponse, type DeregisterResponseBody, type DeviceResponseFor, type EntitlementResult,
  type IdentityResponseBody, type RegisterResponse, type RenewResponse, type ResponseBodies,
} from './response-messages.js';
export { issuedByChain, verifyResponse, type ExpectedReply, type ResponseTrust, type VerifiedResponse } from './response-verifier.js';
export { SmartAgent, type AgentExchange, type SmartAgentOptions } from './smart-agent.js';
export { responseLines, stateLines } from './agent-report.js';
export {
  CODE_MISMATCH_MESSAGE, DeviceReservation, ReservationRefusedError,
  type DeviceReservationState, type InstalledReservation, type ReservationUdi,
} from './device-reservation.js';
