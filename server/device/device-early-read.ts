import { storedReply, type InstanceReplay } from '../../licensing/device/instance-replay.js';
import { DeviceRequestError } from '../../licensing/shared/domain-error.js';
import type { InstanceEntitlement } from '../../licensing/instances/product-instance.js';
import type { Repositories } from '../../licensing/shared/unit-of-work.js';
import { findDeviceCredential, type DeviceCredential } from './device-authenticator.js';
import type { ParsedDeviceRequest } from './device-request-parser.js';

/**
 * What the device handler reads before any costly work (a signature check, a CSR, a certificate): a retry's
 * stored answer, the signed request's credential or its refusal (raised after the clock check, as before), and
 * the instance's replay record. The write transaction confirms it by the instance's change stamp (migration
 * 0018) and reads again only when that moved, so this read may come from any connection's committed state: the
 * event loop's, or the device read worker's (device-intake-worker.ts).
 */
export interface EarlyRead {
  stored: string | undefined;
  credential: DeviceCredential | { refused: DeviceRequestError } | null;
  replay: InstanceReplay | undefined;
  /**
   * An AUTHORIZE's instance entitlements, read with its stamp (migration 0019 makes them part of it): an unchanged
   * report whose stamp still holds in the write transaction takes them from here instead of reading them again.
   */
  entitlements?: InstanceEntitlement[];
}

export function readEarly(repos: Repositories, request: ParsedDeviceRequest): EarlyRead {
  const scope = instanceScope(request);
  const replay = scope === null ? undefined : repos.deviceMessages.findInstanceReplay(scope);
  const stored = storedResponse(repos, request, { replay, inTransaction: false });
  if (stored !== undefined || request.message.type === 'REGISTER') return { stored, credential: null, replay };
  try {
    const credential = findDeviceCredential(repos, request);
    if (request.message.type !== 'AUTHORIZE') return { stored, credential, replay };
    return { stored, credential, replay, entitlements: repos.instances.listEntitlements(credential.instance.id) };
  } catch (error) {
    if (!(error instanceof DeviceRequestError)) throw error;
    return { stored, credential: { refused: error }, replay };
  }
}

/**
 * The stored answer to this very message; REPLAY_DETECTED when its message_id was used for another payload.
 * `known`: the instance's record as the caller read it; `inTransaction`, the write transaction's look again.
 */
export function storedResponse(
  repos: Repositories, request: ParsedDeviceRequest, known?: { replay: InstanceReplay | undefined; inTransaction: boolean },
): string | undefined {
  const { message } = request;
  const scope = instanceScope(request);
  if (scope !== null) {
    const replay = known ? known.replay : repos.deviceMessages.findInstanceReplay(scope);
    const reply = storedReply(replay, message.message_id, request.payloadDigest);
    if (reply !== undefined) return reply;
    // Signed messages are no longer stored by message_id, so no twin can have added one since the first look:
    // only answers from before migration 0016 are there, and the look before the transaction saw them.
    if (known?.inTransaction) return undefined;
  }
  // REGISTER answers, and answers to signed messages from before migration 0016, are kept by message_id.
  return storedReply(repos.deviceMessages.findResponse(message.message_id), message.message_id, request.payloadDigest);
}

/** The instance a signed message's replay record belongs to; null for REGISTER, which has none yet. */
export function instanceScope(request: ParsedDeviceRequest): string | null {
  const id = request.message.sender.product_instance_id;
  return request.message.type !== 'REGISTER' && id ? id : null;
}
