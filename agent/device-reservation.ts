import { X509Certificate, randomBytes, verify } from 'node:crypto';
import { confirmationCodeFor, plrSignedText, readPlrAuthorizationCode, returnCodeFor } from '../protocol/reservation/reservation-codes.js';
import { ReservationCodeError } from '../protocol/reservation/reservation-code-error.js';
import { formatReservationRequestCode } from '../protocol/reservation/reservation-request-code.js';
import { looksLikeSlrAuthorizationCode, parseSlrAuthorizationCode } from '../protocol/reservation/slr-authorization-code.js';
import { AgentError } from './agent-errors.js';
import { initialState } from './agent-identity.js';
import type { AgentState, AgentStateStore } from './agent-state-store.js';

/** A reservation step the device refuses; the message is what the admin sees. */
export class ReservationRefusedError extends AgentError {
  override readonly name = 'ReservationRefusedError';
}

/** The seed's wording (Expressway X14.2), so admins recognise it. */
export const CODE_MISMATCH_MESSAGE = 'The Reservation Authorization Code does not match the Reservation Request Code';

export type DeviceReservationState = NonNullable<AgentState['reservation']>;
export type InstalledReservation = NonNullable<DeviceReservationState['authorization']>;

export interface ReservationUdi { pid: string; serial: string }

/**
 * The device side of license reservation (DESIGN §9): a device that reaches neither the satellite nor CSSM
 * makes a request code, installs the authorization code an admin brings back, and answers with a
 * confirmation or return code. Nothing here touches the network; the chain comes from `GET /pki/chain.pem`.
 */
export class DeviceReservation {
  readonly #store: AgentStateStore;
  readonly #now: () => number;

  constructor(store: AgentStateStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** The pending request code, or a new one; a device holding an installed code must return it first. */
  async request(udi: ReservationUdi | null, defaults: { productTag: string }): Promise<string> {
    const state = await this.#stateFor(udi, defaults);
    if (state.reservation?.authorization) {
      throw new ReservationRefusedError('A reservation is installed; return it (device reservation return) before requesting another');
    }
    if (state.reservation) return state.reservation.request_code;
    const code = formatReservationRequestCode({ pid: state.udi.pid, serialNumber: state.udi.serial }, randomBytes(6));
    await this.#store.writeState({ ...state, reservation: { request_code: code, requested_at: this.#now(), authorization: null } });
    return code;
  }

  /**
   * Verifies and installs an authorization code (a first one, or an update replacing the installed one) and
   * returns its confirmation code. `chainPem` is the satellite chain: signing certificate, then root.
   */
  async install(code: string, chainPem: string): Promise<InstalledReservation> {
    const state = await this.#requireState();
    const reservation = state.reservation;
    if (!reservation) throw new ReservationRefusedError('No reservation was requested on this device (device reservation request)');
    const signer = signingKeyOf(chainPem);
    const text = code.trim();
    const installed = looksLikeSlrAuthorizationCode(text)
      ? installSpecific(text, state, signer)
      : installUniversal(text, reservation.request_code, signer);
    const authorization: InstalledReservation = { ...installed, code: text, confirmation_code: confirmationCodeFor(text), installed_at: this.#now() };
    await this.#store.writeState({ ...state, reservation: { ...reservation, authorization } });
    return authorization;
  }

  /** Gives up the installed reservation: the return code proves to the satellite that it was removed here. */
  async returnInstalled(): Promise<string> {
    const state = await this.#requireState();
    const installed = state.reservation?.authorization;
    if (!installed) throw new ReservationRefusedError('No authorization code is installed on this device; nothing to return');
    await this.#store.writeState({ ...state, reservation: null });
    return returnCodeFor(installed.code);
  }

  /**
   * The return code of a code that was issued but never installed (the seed's ReturnAuthorization). An SLR
   * code is read (DTDs refused) and must be this device's; if it is the installed one, it is removed.
   */
  async returnAuthorization(code: string): Promise<string> {
    const state = await this.#requireState();
    const text = code.trim();
    if (looksLikeSlrAuthorizationCode(text)) {
      const parsed = readSpecific(text);
      if (!sameUdi(parsed.udi, state.udi)) throw new ReservationRefusedError(CODE_MISMATCH_MESSAGE);
    } else if (readPlrAuthorizationCode(text) === null) {
      throw new ReservationRefusedError('The authorization code is neither an SLR code (<specificPLR>) nor a PLR code (base58 groups)');
    }
    if (state.reservation?.authorization?.code === text) await this.#store.writeState({ ...state, reservation: null });
    return returnCodeFor(text);
  }

  /** Drops a request whose authorization code never came; an installed code must be returned instead. */
  async cancel(): Promise<string> {
    const state = await this.#requireState();
    if (!state.reservation) throw new ReservationRefusedError('No reservation request is pending on this device');
    if (state.reservation.authorization) {
      throw new ReservationRefusedError('An authorization code is installed; return it (device reservation return) instead of cancelling');
    }
    await this.#store.writeState({ ...state, reservation: null });
    return state.reservation.request_code;
  }

  async #requireState(): Promise<AgentState> {
    const state = await this.#store.readState();
    if (state === null) throw new ReservationRefusedError(`No device state in ${this.#store.location}; run device reservation request first`);
    return state;
  }

  /** An air-gapped device may never have registered: its first reservation request creates its state. */
  async #stateFor(udi: ReservationUdi | null, defaults: { productTag: string }): Promise<AgentState> {
    const stored = await this.#store.readState();
    if (stored !== null) {
      if (udi !== null && !sameUdi({ pid: udi.pid, serialNumber: udi.serial }, stored.udi)) {
        throw new ReservationRefusedError(`This state directory belongs to ${stored.udi.pid}:${stored.udi.serial}; use another --state for another device`);
      }
      return stored;
    }
    if (udi === null) throw new ReservationRefusedError('A new device needs --pid and --serial');
    return initialState({
      udi: { pid: udi.pid, serial: udi.serial, vid: null, hostIdentifier: null }, productTag: defaults.productTag, hostname: null, ipAddress: null,
    });
  }
}

type Verified = Pick<InstalledReservation, 'type' | 'product_instance_id' | 'entitlements'>;

function installSpecific(text: string, state: AgentState, signer: X509Certificate): Verified {
  const parsed = readSpecific(text);
  if (!sameUdi(parsed.udi, state.udi)) throw new ReservationRefusedError(CODE_MISMATCH_MESSAGE);
  const signature = Buffer.from(parsed.signature, 'base64');
  if (signature.length === 0 || !verify('sha256', Buffer.from(parsed.signedText, 'utf8'), signer.publicKey, signature)) {
    throw new ReservationRefusedError('The authorization code is not signed by the satellite of this chain (tampered or from another satellite)');
  }
  return { type: 'SPECIFIC', product_instance_id: parsed.piid, entitlements: parsed.entitlements.map((e) => ({ tag: e.tag, count: e.count })) };
}

/** A PLR code is a signature over our own request code, so a code for another device fails like a forged one. */
function installUniversal(text: string, requestCode: string, signer: X509Certificate): Verified {
  const signature = readPlrAuthorizationCode(text);
  if (signature === null) {
    throw new ReservationRefusedError('The authorization code is neither an SLR code (<specificPLR>) nor a PLR code (base58 groups)');
  }
  const valid = verify('sha256', Buffer.from(plrSignedText(requestCode), 'utf8'), { key: signer.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  if (!valid) throw new ReservationRefusedError(`${CODE_MISMATCH_MESSAGE} (or it is not signed by the satellite of this chain)`);
  return { type: 'UNIVERSAL', product_instance_id: null, entitlements: [] };
}

function readSpecific(text: string): ReturnType<typeof parseSlrAuthorizationCode> {
  try {
    return parseSlrAuthorizationCode(text);
  } catch (error) {
    if (error instanceof ReservationCodeError) throw new ReservationRefusedError(error.reason);
    throw error;
  }
}

function sameUdi(code: { pid: string; serialNumber: string }, device: { pid: string; serial: string }): boolean {
  return code.pid === device.pid && code.serialNumber.toUpperCase() === device.serial.toUpperCase();
}

/** The chain file of `GET /pki/chain.pem`: the signing certificate must be issued and signed by the root after it. */
function signingKeyOf(chainPem: string): X509Certificate {
  const pems = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const [signingPem, rootPem] = pems;
  if (signingPem === undefined || rootPem === undefined) {
    throw new ReservationRefusedError('The chain file must hold the satellite signing certificate and then its root (GET /pki/chain.pem)');
  }
  let signing: X509Certificate;
  let root: X509Certificate;
  try {
    signing = new X509Certificate(signingPem);
    root = new X509Certificate(rootPem);
  } catch {
    throw new ReservationRefusedError('The chain file holds a certificate that cannot be read');
  }
  if (!signing.checkIssued(root) || !signing.verify(root.publicKey)) {
    throw new ReservationRefusedError('The first certificate of the chain file is not issued by the second (expected signing, then root)');
  }
  return signing;
}
