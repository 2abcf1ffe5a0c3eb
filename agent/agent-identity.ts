import { AgentStateError } from './agent-errors.js';
import type { AgentState } from './agent-state-store.js';
import type { DeviceIdentity } from './request-builder.js';

/** A fresh state for a device that has never talked to a satellite. */
export function initialState(identity: DeviceIdentity): AgentState {
  return withIdentity({
    version: 1,
    udi: { pid: '', serial: '', vid: null, host_identifier: null },
    product_tag: '',
    hostname: null,
    ip_address: null,
    key_algorithm: null,
    satellite: { url: null, transport: null, tls_ca_pem: null },
    certificate_chain: null,
    registration: null,
    authorization: null,
    reservation: null,
    last_authorization_error: null,
  }, identity);
}

/** The state with its identity replaced; everything the satellite told the device is kept. */
export function withIdentity(state: AgentState, identity: DeviceIdentity): AgentState {
  const { udi } = identity;
  if (udi.pid.trim() === '' || udi.serial.trim() === '' || identity.productTag.trim() === '') {
    throw new AgentStateError('A device identity needs a PID, a serial number and a product tag');
  }
  return {
    ...state,
    udi: { pid: udi.pid, serial: udi.serial, vid: udi.vid ?? null, host_identifier: udi.hostIdentifier ?? null },
    product_tag: identity.productTag,
    hostname: identity.hostname ?? null,
    ip_address: identity.ipAddress ?? null,
  };
}

export function identityOf(state: AgentState): DeviceIdentity {
  return {
    udi: { pid: state.udi.pid, serial: state.udi.serial, vid: state.udi.vid, hostIdentifier: state.udi.host_identifier },
    productTag: state.product_tag,
    hostname: state.hostname,
    ipAddress: state.ip_address,
  };
}
