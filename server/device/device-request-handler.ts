import type { Logger } from 'pino';
import type { AuthorizationService } from '../../licensing/device/authorization-service.js';
import type { IdentityOutcome } from '../../licensing/device/identity-outcome.js';
import type { PreparedRegistration, RegistrationService } from '../../licensing/device/registration-service.js';
import { parseDeviceCsr } from '../../licensing/pki/device-csr.js';
import type { Clock } from '../../licensing/shared/clock.js';
import { DeviceRequestError } from '../../licensing/shared/domain-error.js';
import type { LicensingTimers } from '../../licensing/shared/licensing-timers.js';
import type { Repositories, UnitOfWork } from '../../licensing/shared/unit-of-work.js';
import type { IdCertificate, InstanceEntitlement } from '../../licensing/instances/product-instance.js';
import { assertCredentialCurrent, confirmDevice, stillAsRead, type DeviceCredential } from './device-authenticator.js';
import type { SignatureChecker } from './crypto-worker-pool.js';
import type { ProductInstance } from '../../licensing/instances/product-instance.js';
import type { ParsedDeviceRequest } from './device-request-parser.js';
import { InlineDeviceIntake, type DeviceIntake } from './device-intake.js';
import { instanceScope, storedResponse } from './device-early-read.js';
import { signResponse, type ResponseParts, type ResponseSigner } from './device-response-signer.js';
import { authorizeBody, identityBody } from './device-response-bodies.js';
import { DeviceWriteBatcher } from './device-write-batcher.js';
import { admitNonce, type InstanceReplay } from '../../licensing/device/instance-replay.js';

export type DeviceExchange =
  | { kind: 'answered'; envelopeText: string; messageType: string | null; outcome: DeviceOutcome }
  | { kind: 'unreadable'; reason: string };

export interface DeviceRequestHandlerDeps {
  uow: UnitOfWork;
  clock: Clock;
  timers: LicensingTimers;
  signer: ResponseSigner & { certificateChain: string[] };
  registration: RegistrationService;
  authorization: AuthorizationService;
  /** Where device signatures are verified: inline or on the crypto worker pool (SATELLITE_CRYPTO_WORKERS). */
  signatures: SignatureChecker;
  /** Where requests are parsed and read before any costly work: inline (the default) or on the device read worker. */
  intake?: DeviceIntake;
  logger: Logger;
}

/** The response status, or REPLAYED when a stored answer was sent again (a retry); for metrics. */
export type DeviceOutcome = ResponseParts['status'] | 'VERSION_TOO_HIGH' | 'REPLAYED';

type Prepared = { type: 'REGISTER'; registration: PreparedRegistration } | { type: 'RENEW_ID_CERT'; certificate: IdCertificate } | { type: 'OTHER' };

/** One device exchange, transport-independent: envelope text in, signed envelope text out. */
export class DeviceRequestHandler {
  readonly #deps: DeviceRequestHandlerDeps;
  readonly #writes: DeviceWriteBatcher;
  readonly #intake: DeviceIntake;

  constructor(deps: DeviceRequestHandlerDeps) {
    this.#deps = deps;
    this.#writes = new DeviceWriteBatcher(deps.uow);
    this.#intake = deps.intake ?? new InlineDeviceIntake(deps.uow);
  }

  async handle(envelopeText: string): Promise<DeviceExchange> {
    const now = this.#deps.clock.now();
    const parsed = await this.#intake.take(envelopeText);
    if (parsed.kind === 'unreadable') return parsed;
    if (parsed.kind === 'refused') {
      const status = parsed.versionTooHigh ? 'VERSION_TOO_HIGH' : 'FAILED';
      return this.#answer(parsed.context.type, signResponse(this.#deps.signer, parsed.context,
        { status, error: { code: parsed.code, message: parsed.message }, body: {} }, now), status);
    }
    const { request } = parsed;
    const { message } = request;
    try {
      // A retry is answered from its stored response before any costly work (a signature check, a CSR, a
      // certificate); the write transaction looks again, as a twin may commit meanwhile. The same read finds
      // the credential of a signed request, or its refusal, which is raised after the clock check as before.
      if ('error' in parsed.early) throw parsed.early.error;
      const early = parsed.early;
      if (early.stored !== undefined) return this.#answer(message.type, early.stored, 'REPLAYED');
      if (Math.abs(now - message.timestamp) > this.#deps.timers.clockSkewMs) {
        throw new DeviceRequestError('CLOCK_SKEW', `timestamp ${message.timestamp} is more than ${this.#deps.timers.clockSkewMs} ms from the satellite clock ${now}`);
      }
      // Signed requests are verified before the write transaction (device-authenticator.ts), on the crypto
      // worker pool when there is one; the transaction then only confirms the certificate is still current.
      const instance = early.credential === null ? null : await this.#authenticate(early.credential, now);
      const prepared = await this.#prepare(request, instance, now);
      // Group commit (device-write-batcher.ts): resolves only after the transaction holding this unit committed.
      const answer = await this.#writes.submit((repos): { text: string; outcome: DeviceOutcome } => {
        // A retry may have raced us here; the stored answer wins so a message never acts twice. When the
        // instance's stamp says nothing changed since the first read, that read's record and checks still hold.
        const unchanged = instance !== null && stillAsRead(repos, instance, early.replay);
        const scope = instanceScope(request);
        const replay = unchanged ? early.replay : scope === null ? undefined : repos.deviceMessages.findInstanceReplay(scope);
        const raced = storedResponse(repos, request, { replay, inTransaction: true });
        if (raced !== undefined) return { text: raced, outcome: 'REPLAYED' };
        const confirmed = instance === null ? null : unchanged ? instance : confirmDevice(repos, request, now);
        // A nonce is used up in the same transaction as the action, so only a message that succeeds spends it.
        const remember = confirmed === null ? this.#admitRegister(repos, request, now) : admitSigned(repos, request, confirmed, replay, now);
        const parts = this.#act(repos, request, prepared, now, confirmed, unchanged ? early.entitlements : undefined);
        const text = signResponse(this.#deps.signer, request.context, parts, now);
        remember(text);
        // An AUTHORIZE has recorded its contact time with its outcome; the other messages record it here.
        if (confirmed && message.type !== 'AUTHORIZE') repos.instances.touch(confirmed.id, now);
        return { text, outcome: parts.status };
      });
      return this.#answer(message.type, answer.text, answer.outcome);
    } catch (error) {
      if (!(error instanceof DeviceRequestError)) throw error;
      const refused = this.#refuse(request, error, now);
      return this.#answer(message.type, refused.text, refused.outcome);
    }
  }

  /**
   * REGISTER has no instance yet: its nonce is remembered per UDI and its answer by message_id, for the replay
   * window. Returns what keeps the answer.
   */
  #admitRegister(repos: Repositories, request: ParsedDeviceRequest, now: number): (text: string) => void {
    const { sender, nonce, message_id: messageId } = request.message;
    if (!repos.deviceMessages.rememberNonce(`udi:${sender.sudi.udi_pid}:${sender.sudi.udi_serial_number}`, nonce, now)) {
      throw new DeviceRequestError('REPLAY_DETECTED', 'nonce was already used within the replay window');
    }
    return (text) => repos.deviceMessages.saveResponse({ messageId, requestDigest: request.payloadDigest, response: text, createdAt: now });
  }

  /** The instance whose current ID certificate signed the request; throws the refusal otherwise. */
  async #authenticate(credential: DeviceCredential | { refused: DeviceRequestError }, now: number): Promise<ProductInstance> {
    if ('refused' in credential) throw credential.refused;
    if (!await this.#deps.signatures.verify(credential.signature)) {
      throw new DeviceRequestError('SIGNATURE_INVALID', 'signature does not verify with the ID certificate key');
    }
    assertCredentialCurrent(credential.instance, credential.certificate, now);
    return credential.instance;
  }

  async #prepare(request: ParsedDeviceRequest, instance: ProductInstance | null, now: number): Promise<Prepared> {
    const { message } = request;
    if (message.type === 'REGISTER') {
      const csr = await parseDeviceCsr(message.body.csr);
      const { sudi } = message.sender;
      const registration = await this.#deps.registration.prepareRegistration({
        tokenSecret: message.body.id_token,
        udi: { pid: sudi.udi_pid, serialNumber: sudi.udi_serial_number, vid: sudi.udi_vid, hostIdentifier: sudi.host_identifier },
        productTag: message.sender.product_tag,
        hostname: message.sender.hostname,
        ipAddress: message.sender.ip_address,
        force: message.body.force,
        csr,
      }, now);
      return { type: 'REGISTER', registration };
    }
    if (message.type === 'RENEW_ID_CERT' && instance !== null) {
      // Authenticated (handle) before a signature is spent on the new certificate.
      const csr = await parseDeviceCsr(message.body.csr);
      return { type: 'RENEW_ID_CERT', certificate: await this.#deps.registration.prepareRenewal(instance, csr, now) };
    }
    return { type: 'OTHER' };
  }

  /**
   * `confirmed`: the instance as confirmDevice read it in this transaction (null for REGISTER), or as the early read
   * saw it when its stamp still holds; `held`: its entitlements from that early read, then.
   */
  #act(repos: Repositories, request: ParsedDeviceRequest, prepared: Prepared, now: number, confirmed: ProductInstance | null,
    held: InstanceEntitlement[] | undefined): ResponseParts {
    const { message } = request;
    const identity = (outcome: IdentityOutcome): ResponseParts => ({
      status: 'OK', error: null, productInstanceId: outcome.instance.id,
      body: identityBody(outcome, this.#deps.signer.certificateChain),
    });
    switch (message.type) {
      case 'REGISTER':
        if (prepared.type !== 'REGISTER') throw new Error('REGISTER was not prepared');
        return identity(this.#deps.registration.commitRegistration(repos, prepared.registration, now));
      case 'RENEW_ID_CERT':
        if (prepared.type !== 'RENEW_ID_CERT') throw new Error('RENEW_ID_CERT was not prepared');
        return identity(this.#deps.registration.commitRenewal(repos, requireId(request), prepared.certificate, now));
      case 'AUTHORIZE': {
        const outcome = this.#deps.authorization.commitAuthorization(repos, confirmed ?? requireId(request), message.body.entitlements, now,
          confirmed && held ? { entitlements: held } : undefined);
        return { status: 'OK', error: null, body: authorizeBody(outcome) };
      }
      case 'DEREGISTER':
        this.#deps.registration.commitDeregistration(repos, requireId(request), now);
        return { status: 'OK', error: null, body: { registration: { status: 'UNREGISTERED' } } };
    }
  }

  /**
   * A refusal after the message was read. Outcomes of authenticated requests are remembered like successes
   * so a retry with the same message_id gets the same answer; unauthenticated refusals write nothing.
   */
  #refuse(request: ParsedDeviceRequest, error: DeviceRequestError, now: number): { text: string; outcome: DeviceOutcome } {
    if (error.code !== 'REPLAY_DETECTED') {
      // A concurrent twin with the same message_id may have committed while this one was refused.
      const stored = this.#deps.uow.read((repos) => {
        try {
          return storedResponse(repos, request);
        } catch (twinError) {
          if (twinError instanceof DeviceRequestError) return undefined;
          throw twinError;
        }
      });
      if (stored !== undefined) return { text: stored, outcome: 'REPLAYED' };
    }
    const parts: ResponseParts = {
      status: error.retry ? 'OK_TRY_AGAIN' : 'FAILED', error: { code: error.code, message: error.message }, body: {},
    };
    const text = signResponse(this.#deps.signer, request.context, parts, now);
    const refused = { text, outcome: parts.status };
    if (!REMEMBERED_REFUSALS.has(error.code) || error.retry) return refused;
    this.#deps.uow.write((repos) => {
      if (repos.deviceMessages.findResponse(request.message.message_id)) return;
      repos.deviceMessages.saveResponse({ messageId: request.message.message_id, requestDigest: request.payloadDigest, response: text, createdAt: now });
    });
    return refused;
  }

  #answer(messageType: string | null, envelopeText: string, outcome: DeviceOutcome): DeviceExchange {
    return { kind: 'answered', envelopeText, messageType, outcome };
  }
}

/**
 * Business refusals a device may legitimately retry with the same message_id after losing the answer. Each
 * names a token that exists. TOKEN_INVALID (no such token) is left out: anyone can send those, and storing
 * them would let an unauthenticated caller fill device_messages.
 */
const REMEMBERED_REFUSALS = new Set(['TOKEN_EXPIRED', 'TOKEN_REVOKED', 'TOKEN_EXHAUSTED', 'ALREADY_REGISTERED']);

/** A signed message's nonce against its instance's record (instance-replay.ts); returns what keeps the answer there. */
function admitSigned(
  repos: Repositories, request: ParsedDeviceRequest, instance: ProductInstance, replay: InstanceReplay | undefined, now: number,
): (text: string) => void {
  const { message } = request;
  const nonces = admitNonce(replay, message.nonce, message.timestamp);
  return (text) => repos.deviceMessages.saveInstanceReplay({
    instanceId: instance.id, messageId: message.message_id, requestDigest: request.payloadDigest, response: text,
    answeredAt: now, ...nonces, messagesAnswered: (replay?.messagesAnswered ?? 0) + 1,
  });
}

function requireId(request: ParsedDeviceRequest): string {
  const id = request.message.sender.product_instance_id;
  if (!id) throw new DeviceRequestError('MALFORMED_MESSAGE', 'sender.product_instance_id is required');
  return id;
}
