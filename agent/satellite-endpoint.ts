import type { AgentState } from './agent-state-store.js';
import { transportKindForUrl, type TransportKind } from './device-transport.js';

export interface EndpointOptions {
  url?: string;
  transportKind?: TransportKind;
  ca?: string;
}

export type SatelliteEndpoint = AgentState['satellite'];

/**
 * Where the agent talks to: what it was told now, else what it stored. A stored transport kind only counts
 * for the stored URL, since a new URL names its own transport.
 */
export function resolveEndpoint(options: EndpointOptions, stored: SatelliteEndpoint): SatelliteEndpoint {
  const url = options.url ?? stored.url;
  const storedKind = options.url === undefined ? stored.transport : null;
  return {
    url,
    transport: options.transportKind ?? storedKind ?? (url === null ? null : inferredKind(url)),
    tls_ca_pem: options.ca ?? stored.tls_ca_pem,
  };
}

function inferredKind(url: string): TransportKind | null {
  try {
    return transportKindForUrl(url);
  } catch {
    return null;
  }
}
