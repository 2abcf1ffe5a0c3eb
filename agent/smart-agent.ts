import type { DeviceMessageType } from '../protocol/device-message.js';
import { normalizeSerial, parseCertificate } from './agent-crypto.js';
import { AgentStateError, ResponseVerificationError } from './agent-errors.js';
import { identityOf, initialState, withIdentity } from './agent-identity.js';
import { FileAgentStateStore, MemoryAgentStateStore, type AgentState, type AgentStateStore } from './agent-state-store.js';
import { DeviceKey, type KeyAlgorithm } from './device-key.js';
import { createTransport, transportKindForUrl, type DeviceTransport, type TransportKind } from './device-transport.js';
import {
  buildDeviceRequest, checkEntitlementRequest, sealRequest,
  type DeviceIdentity, type DeviceRequestMessage, type EntitlementRequest, type RequestBodies, type RequestSigner,
} from './request-builder.js';
import type { AuthorizeResponse, DeregisterResponse, IdentityResponseBody, RegisterResponse, RenewResponse } from './response-messages.js';
import { issuedByChain, verifyResponse, type VerifiedResponse } from './response-verifier.js';
import { resolveEndpoint } from './satellite-endpoint.js';

type Registration = NonNullable<AgentState['registration']>;

export interface SmartAgentOptions {
  /** Directory for key.pem and state.json; without it (and without store) the agent lives in memory. */
  stateDir?: string;
  store?: AgentStateStore;
  /** Required until a state holding an identity exists; when given it replaces the stored one. */
  identity?: DeviceIdentity;
  /** Algorithm of keys the agent generates (first use, renewal). An existing key keeps its own. */
  keyAlgorithm?: KeyAlgorithm;
  /** Transport URL ending in /SmartTransport or /DeviceRequestHandler; defaults to the stored one. */
  url?: string;
  /** Overrides the transport the URL path implies. */
  transportKind?: TransportKind;
  /** A ready transport, e.g. InProcessTransport; url and ca are then unused. */
  transport?: DeviceTransport;
  /** PEM of the CA for the satellite's HTTPS certificate; remembered in the state. */
  ca?: string;
  /** Pinned satellite root CA; without it the root from the first registration is trusted (TOFU). */
  trustedRootPem?: string;
  timeoutMs?: number;
  clock?: () => number;
}

/** The last request and answer on the wire, for tests that replay or inspect them. */
export interface AgentExchange {
  request: DeviceRequestMessage;
  requestEnvelope: string;
  responseEnvelope: string;
  signatureVerified: boolean;
}

/**
 * The reference smart agent (DESIGN §4): the device side of register, renew, authorize and deregister.
 * Protocol outcomes, FAILED included, are returned; transport failures and untrustworthy responses throw.
 * Calls on one agent run one at a time, so the stored state always follows the satellite's answers.
 */
export class SmartAgent {
  readonly #store: AgentStateStore;
  readonly #options: SmartAgentOptions;
  readonly #clock: () => number;
  #state: AgentState | null;
  #key: DeviceKey | null;
  #transport: DeviceTransport | null;
  #queue: Promise<unknown> = Promise.resolve();
  #lastExchange: AgentExchange | null = null;

  private constructor(store: AgentStateStore, options: SmartAgentOptions, state: AgentState | null, key: DeviceKey | null) {
    this.#store = store;
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#state = state;
    this.#key = key;
    this.#transport = options.transport ?? null;
  }

  static async open(options: SmartAgentOptions = {}): Promise<SmartAgent> {
    const store = options.store ?? (options.stateDir === undefined ? new MemoryAgentStateStore() : new FileAgentStateStore(options.stateDir));
    const stored = await store.readState();
    const state = options.identity === undefined ? stored : withIdentity(stored ?? initialState(options.identity), options.identity);
    const keyPem = await store.readKey();
    let key: DeviceKey | null = null;
    if (keyPem !== null) {
      try {
        key = DeviceKey.fromPem(keyPem);
      } catch (error) {
        throw new AgentStateError(`The device key in ${store.location} is unusable: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (state !== null && state.registration !== null && key !== null && !key.matchesCertificate(parseCertificate(state.registration.id_certificate_pem, 'The stored ID certificate'))) {
      throw new AgentStateError(`The device key in ${store.location} does not belong to the stored ID certificate; register again with force`);
    }
    if (options.trustedRootPem !== undefined) parseCertificate(options.trustedRootPem, 'The trusted satellite root CA');
    return new SmartAgent(store, options, state, key);
  }

  /** A copy of the stored state; null before the agent knows its identity. */
  get state(): AgentState | null {
    return this.#state === null ? null : structuredClone(this.#state);
  }

  get identity(): DeviceIdentity | null {
    return this.#state === null ? null : identityOf(this.#state);
  }

  get productInstanceId(): string | null {
    return this.#state?.registration?.product_instance_id ?? null;
  }

  get isRegistered(): boolean {
    return (this.#state?.registration ?? null) !== null;
  }

  get keyAlgorithm(): KeyAlgorithm | null {
    return this.#key?.algorithm ?? null;
  }

  get lastExchange(): AgentExchange | null {
    return this.#lastExchange;
  }

  /** REGISTER with a token; the key is generated on first use and kept across re-registrations. */
  register(token: string, options: { force?: boolean } = {}): Promise<RegisterResponse> {
    return this.#serially(async () => {
      // A missing or unusable URL is reported before anything is written to the state directory.
      this.#resolveTransport();
      const key = await this.#ensureKey();
      // Stored before sending so a failed first attempt keeps the identity (a CLI-chosen serial, say).
      const state = { ...this.#requireState(), key_algorithm: key.algorithm };
      await this.#save(state);
      const csr = await key.createCsr(state.udi.serial);
      const body = { id_token: token, csr, force: options.force ?? false };
      const { message, chain } = await this.#exchange('REGISTER', body, null, null);
      if (message.status === 'OK') {
        const product_instance_id = requireInstanceId(message.product_instance_id);
        await this.#saveIdentity(message.body, key, chain, { product_instance_id, renewed_at: null }, true);
      }
      return message;
    });
  }

  /** RENEW_ID_CERT, signed with the current key; a new key pair is generated unless newKey is false. */
  renewIdCertificate(options: { newKey?: boolean } = {}): Promise<RenewResponse> {
    return this.#serially(async () => {
      const { registration, signer } = this.#requireRegistration();
      const nextKey = options.newKey === false ? signer.key : await DeviceKey.generate(this.#options.keyAlgorithm ?? signer.key.algorithm);
      const csr = await nextKey.createCsr(this.#requireState().udi.serial);
      const { message, chain } = await this.#exchange('RENEW_ID_CERT', { csr }, signer, registration.product_instance_id);
      if (message.status === 'OK') {
        await this.#saveIdentity(message.body, nextKey, chain, {
          product_instance_id: registration.product_instance_id, renewed_at: this.#clock(),
        }, false);
      }
      return message;
    });
  }

  /** AUTHORIZE the licenses in use; an empty list reports that none are. */
  authorize(entitlements: readonly EntitlementRequest[]): Promise<AuthorizeResponse> {
    return this.#serially(async () => {
      const requested = entitlements.map(checkEntitlementRequest);
      const { registration, signer } = this.#requireRegistration();
      const { message } = await this.#exchange('AUTHORIZE', { entitlements: requested }, signer, registration.product_instance_id);
      const state = this.#requireState();
      if (message.status === 'OK') {
        await this.#save({ ...state, authorization: { requested, ...message.body.authorization }, last_authorization_error: null });
      } else {
        await this.#save({ ...state, last_authorization_error: { at: this.#clock(), ...message.error } });
      }
      return message;
    });
  }

  /** DEREGISTER; on OK the registration is forgotten but the key and trusted chain stay for a re-register. */
  deregister(): Promise<DeregisterResponse> {
    return this.#serially(async () => {
      const { registration, signer } = this.#requireRegistration();
      const { message } = await this.#exchange('DEREGISTER', {}, signer, registration.product_instance_id);
      if (message.status === 'OK') {
        await this.#save({ ...this.#requireState(), registration: null, authorization: null, last_authorization_error: null });
      }
      return message;
    });
  }

  #serially<R>(task: () => Promise<R>): Promise<R> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #requireState(): AgentState {
    if (this.#state === null) {
      throw new AgentStateError('The device has no identity yet: give the agent a UDI (PID and serial) and a product tag');
    }
    return this.#state;
  }

  #requireRegistration(): { registration: Registration; signer: RequestSigner } {
    const registration = this.#requireState().registration;
    if (registration === null || this.#key === null) {
      throw new AgentStateError(`The device is not registered (state: ${this.#store.location}); register with a token first`);
    }
    return { registration, signer: { key: this.#key, keyId: normalizeSerial(registration.id_certificate_serial) } };
  }

  async #ensureKey(): Promise<DeviceKey> {
    if (this.#key !== null) return this.#key;
    const key = await DeviceKey.generate(this.#options.keyAlgorithm ?? 'ES256');
    await this.#store.writeKey(key.toPem());
    this.#key = key;
    return key;
  }

  #resolveTransport(): DeviceTransport {
    if (this.#transport !== null) return this.#transport;
    const endpoint = resolveEndpoint(this.#options, this.#requireState().satellite);
    if (endpoint.url === null) throw new AgentStateError('No satellite URL is configured: give the agent a transport URL');
    this.#transport = createTransport(endpoint.transport ?? transportKindForUrl(endpoint.url), endpoint.url, {
      clock: this.#clock,
      ...(endpoint.tls_ca_pem === null ? {} : { ca: endpoint.tls_ca_pem }),
      ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
    });
    return this.#transport;
  }

  async #exchange<T extends DeviceMessageType>(
    type: T, body: RequestBodies[T], signer: RequestSigner | null, productInstanceId: string | null,
  ): Promise<VerifiedResponse<T>> {
    const state = this.#requireState();
    const request = buildDeviceRequest({ type, identity: identityOf(state), productInstanceId, body, now: this.#clock() });
    const sealed = sealRequest(request, signer);
    const responseEnvelope = await this.#resolveTransport().send(sealed.envelopeText, type);
    const storedChain = state.certificate_chain;
    const rootPem = this.#options.trustedRootPem ?? storedChain?.[storedChain.length - 1] ?? null;
    const verified = await verifyResponse(responseEnvelope, { type, messageId: request.message_id, nonce: request.nonce }, { rootPem, storedChain });
    this.#lastExchange = { request, requestEnvelope: sealed.envelopeText, responseEnvelope, signatureVerified: verified.signatureVerified };
    return verified;
  }

  /**
   * Stores a new ID certificate after checking that it carries the key the CSR was made with and was
   * issued under the verified chain, so a confused satellite cannot leave the device unable to sign.
   */
  async #saveIdentity(
    body: IdentityResponseBody,
    key: DeviceKey,
    chain: string[] | null,
    extras: Pick<Registration, 'product_instance_id' | 'renewed_at'>,
    clearAuthorization: boolean,
  ): Promise<void> {
    const certificate = parseCertificate(body.id_certificate, 'The ID certificate from the satellite');
    if (!key.matchesCertificate(certificate)) {
      throw new ResponseVerificationError('The ID certificate from the satellite does not carry the key of this device');
    }
    const trustedChain = chain ?? body.certificate_chain;
    if (!(await issuedByChain(certificate, trustedChain))) {
      throw new ResponseVerificationError('The ID certificate from the satellite is not issued by its certificate chain');
    }
    if (key !== this.#key) {
      await this.#store.writeKey(key.toPem());
      this.#key = key;
    }
    const state = this.#requireState();
    const registration: Registration = {
      ...extras,
      id_certificate_pem: body.id_certificate,
      id_certificate_serial: normalizeSerial(certificate.serialNumber),
      smart_account: body.smart_account,
      virtual_account: body.virtual_account,
      export_control: body.export_control,
      registered_at: body.registration.registered_at,
      expires_at: body.registration.expires_at,
      next_renewal_at: body.registration.next_renewal_at,
    };
    await this.#save({
      ...state,
      key_algorithm: key.algorithm,
      satellite: resolveEndpoint(this.#options, state.satellite),
      certificate_chain: trustedChain,
      registration,
      ...(clearAuthorization ? { authorization: null, last_authorization_error: null } : {}),
    });
  }

  async #save(state: AgentState): Promise<void> {
    await this.#store.writeState(state);
    this.#state = state;
  }
}

function requireInstanceId(productInstanceId: string | null): string {
  if (productInstanceId === null || productInstanceId === '') {
    throw new ResponseVerificationError('The satellite accepted the registration but named no product instance id');
  }
  return productInstanceId;
}
