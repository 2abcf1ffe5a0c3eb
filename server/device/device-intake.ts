import type { InstanceReplay } from '../../licensing/device/instance-replay.js';
import type { CertificateKey, InstanceEntitlement, ProductInstance } from '../../licensing/instances/product-instance.js';
import { DeviceRequestError, type DeviceErrorCode } from '../../licensing/shared/domain-error.js';
import type { UnitOfWork } from '../../licensing/shared/unit-of-work.js';
import { credentialFor } from './device-authenticator.js';
import { readEarly, type EarlyRead } from './device-early-read.js';
import { parseDeviceRequest, type ParsedDeviceRequest, type RefusedMessage, type UnreadableEnvelope } from './device-request-parser.js';

/** The early read, or the refusal it raised (a message_id used for another payload). */
export type EarlyOutcome = EarlyRead | { error: DeviceRequestError };

/** A device request read and parsed, and for a parsed one what the database says before any costly work. */
export type IntakeResult = UnreadableEnvelope | RefusedMessage | { kind: 'parsed'; request: ParsedDeviceRequest; early: EarlyOutcome };

/**
 * The first steps of every device exchange, both pure reads: parsing the envelope and the early read
 * (device-early-read.ts). InlineDeviceIntake does them on the event loop; DeviceIntakeWorker on a thread with
 * its own read-only connection, so the event loop that commits and answers keeps none of their CPU nor the wait
 * for a million-row table's cold pages.
 */
export interface DeviceIntake {
  take(envelopeText: string): Promise<IntakeResult>;
  close(): Promise<void>;
}

export class InlineDeviceIntake implements DeviceIntake {
  readonly #uow: UnitOfWork;

  constructor(uow: UnitOfWork) {
    this.#uow = uow;
  }

  take(envelopeText: string): Promise<IntakeResult> {
    return Promise.resolve(takeWith(this.#uow, envelopeText));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function takeWith(uow: UnitOfWork, envelopeText: string): IntakeResult {
  const parsed = parseDeviceRequest(envelopeText);
  if (parsed.kind !== 'parsed') return parsed;
  try {
    return { ...parsed, early: uow.read((repos) => readEarly(repos, parsed.request)) };
  } catch (error) {
    if (error instanceof DeviceRequestError) return { ...parsed, early: { error } };
    throw error;
  }
}

interface WireError { code: DeviceErrorCode; message: string; retry: boolean }
interface WireEarly {
  stored?: string;
  replay?: InstanceReplay;
  credential?: { instance: ProductInstance; certificate: CertificateKey };
  refused?: WireError;
  error?: WireError;
  entitlements?: InstanceEntitlement[];
}
/** An IntakeResult as it crosses threads: errors as their fields (a cloned Error loses its code), no duplicate payload. */
export type WireIntake = UnreadableEnvelope | RefusedMessage | { kind: 'parsed'; request: ParsedDeviceRequest; early: WireEarly };

export function toWire(result: IntakeResult): WireIntake {
  if (result.kind !== 'parsed') return result;
  const { early } = result;
  if ('error' in early) return { ...result, early: { error: wireError(early.error) } };
  const wire: WireEarly = {};
  if (early.stored !== undefined) wire.stored = early.stored;
  if (early.replay !== undefined) wire.replay = early.replay;
  if (early.entitlements !== undefined) wire.entitlements = early.entitlements;
  if (early.credential !== null && 'refused' in early.credential) wire.refused = wireError(early.credential.refused);
  else if (early.credential !== null) {
    // The usual certificate is the instance's current one, the same object: copied once, it crosses once (a
    // message keeps shared objects shared).
    const { certificate } = early.credential;
    const { currentCertificate, ...instance } = early.credential.instance;
    const sent = portable(certificate);
    wire.credential = {
      instance: currentCertificate ? { ...instance, currentCertificate: currentCertificate === certificate ? sent : portable(currentCertificate) } : instance,
      certificate: sent,
    };
  }
  return { ...result, early: wire };
}

export function fromWire(wire: WireIntake): IntakeResult {
  if (wire.kind !== 'parsed') return wire;
  const { early, request } = wire;
  if (early.error) return { ...wire, early: { error: deviceError(early.error) } };
  let credential: EarlyRead['credential'] = early.refused ? { refused: deviceError(early.refused) } : null;
  if (early.credential) {
    try {
      credential = credentialFor(request, early.credential.instance, early.credential.certificate);
    } catch (error) {
      if (!(error instanceof DeviceRequestError)) throw error;
      credential = { refused: error };
    }
  }
  const read: EarlyRead = { stored: early.stored, credential, replay: early.replay };
  if (early.entitlements !== undefined) read.entitlements = early.entitlements;
  return { ...wire, early: read };
}

/** postMessage copies a view's whole ArrayBuffer, and a Buffer may be a slice of a larger one: the key alone goes. */
const portable = (key: CertificateKey): CertificateKey => ({ ...key, publicKeyDer: new Uint8Array(key.publicKeyDer) });
const wireError = (error: DeviceRequestError): WireError => ({ code: error.code, message: error.message, retry: error.retry });
const deviceError = (wire: WireError): DeviceRequestError => new DeviceRequestError(wire.code, wire.message, { retry: wire.retry });
