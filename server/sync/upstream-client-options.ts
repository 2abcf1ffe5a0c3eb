import { readFileSync } from 'node:fs';
import type { UpstreamClientOptions } from '../../sync/connected/upstream-client.js';
import type { SatelliteConfig } from '../config.js';

/** The upstream client's transport settings, shared by the server and the CLI; the CA file is read once. */
export function upstreamClientOptions(config: SatelliteConfig): Pick<UpstreamClientOptions, 'timeoutMs' | 'caPem'> {
  return {
    timeoutMs: config.sync.timeoutMs,
    ...(config.sync.upstreamCaFile ? { caPem: readFileSync(config.sync.upstreamCaFile, 'utf8') } : {}),
  };
}
