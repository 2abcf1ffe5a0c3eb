import type { AgentState } from './agent-state-store.js';
import type { AnyDeviceResponse } from './response-messages.js';

/**
 * Human-readable summaries of responses and state, for the CLI and for simulators that log what their
 * devices were told. One fact per line, "label: value", so the output greps well.
 */
export function responseLines(message: AnyDeviceResponse, state: AgentState | null, options: { includeError?: boolean } = {}): string[] {
  const lines = [`status: ${message.status}`];
  if (message.status !== 'OK') {
    if (options.includeError !== false) lines.push(`error: ${message.error.code}: ${message.error.message}`);
    if (message.product_instance_id !== null) lines.push(`product instance id: ${message.product_instance_id}`);
    return lines;
  }
  lines.push(`product instance id: ${message.product_instance_id ?? state?.registration?.product_instance_id ?? '-'}`);
  const body: Record<string, unknown> = message.body;
  if (message.type === 'REGISTER_RESPONSE' || message.type === 'RENEW_ID_CERT_RESPONSE') {
    const registration = state?.registration;
    if (registration) {
      lines.push(
        `smart account: ${registration.smart_account}`,
        `virtual account: ${registration.virtual_account}`,
        `registration: REGISTERED, expires ${time(registration.expires_at)}, renew after ${time(registration.next_renewal_at)}`,
        `id certificate serial: ${registration.id_certificate_serial}`,
        `export control: ${registration.export_control}`,
      );
    }
  } else if (message.type === 'AUTHORIZE_RESPONSE' && 'authorization' in message.body) {
    const { authorization } = message.body;
    if (state?.registration) lines.push(`virtual account: ${state.registration.virtual_account}`);
    lines.push(`authorization: ${authorization.status}, expires ${time(authorization.expires_at)}, renew after ${time(authorization.next_renewal_at)}`);
    lines.push(...authorization.entitlements.map(entitlementLine));
  } else if ('registration' in body) {
    lines.push('registration: UNREGISTERED');
  }
  return lines;
}

export function stateLines(state: AgentState | null, location: string): string[] {
  if (state === null) return [`state: ${location} (empty: the device has never registered)`];
  const lines = [
    `state: ${location}`,
    `udi: PID:${state.udi.pid} SN:${state.udi.serial}${state.udi.vid ? ` VID:${state.udi.vid}` : ''}`,
    `product tag: ${state.product_tag}`,
    `key: ${state.key_algorithm ?? 'none yet'}`,
    `satellite: ${state.satellite.url ?? '-'}${state.satellite.transport ? ` (${state.satellite.transport})` : ''}`,
  ];
  lines.push(...reservationLines(state.reservation));
  const { registration, authorization } = state;
  if (registration === null) {
    lines.push('registration: UNREGISTERED');
    return lines;
  }
  lines.push(
    `registration: REGISTERED at ${time(registration.registered_at)}, expires ${time(registration.expires_at)}, renew after ${time(registration.next_renewal_at)}`,
    `product instance id: ${registration.product_instance_id}`,
    `smart account: ${registration.smart_account}`,
    `virtual account: ${registration.virtual_account}`,
    `id certificate serial: ${registration.id_certificate_serial}`,
  );
  if (authorization === null) {
    lines.push('authorization: none yet');
  } else {
    lines.push(`authorization: ${authorization.status} at ${time(authorization.authorized_at)}, expires ${time(authorization.expires_at)}`);
    lines.push(...authorization.entitlements.map(entitlementLine));
  }
  if (state.last_authorization_error !== null) {
    const error = state.last_authorization_error;
    lines.push(`last authorization error: ${error.code}: ${error.message} (${time(error.at)})`);
  }
  return lines;
}

function entitlementLine(item: { tag: string; requested: number; status: string; display_name: string | null }): string {
  return `  ${item.status} ${item.requested} ${item.tag}${item.display_name ? ` (${item.display_name})` : ''}`;
}

function time(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** A reserved device's codes, so `device status` tells an admin where the reservation stands. */
function reservationLines(reservation: AgentState['reservation']): string[] {
  if (reservation === null) return [];
  const installed = reservation.authorization;
  if (installed === null) return [`reservation: requested, request code ${reservation.request_code}`];
  return [
    `reservation: ${installed.type} installed at ${time(installed.installed_at)}, confirmation code ${installed.confirmation_code}`,
    ...installed.entitlements.map((e) => `  reserved: ${e.tag} x ${e.count}`),
  ];
}
