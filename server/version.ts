import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The version in package.json, the one `npm version` bumps. Read at run time rather than copied into the
 * code so there is one source; from server/ (tsx) package.json is one level up, from dist/server/ two.
 */
function readVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    const file = fileURLToPath(new URL(relative, import.meta.url));
    if (!existsSync(file)) continue;
    const parsed = z.object({ name: z.literal('license-satellite'), version: z.string() }).safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data.version;
  }
  return '0.0.0-unknown';
}

export const SATELLITE_VERSION = readVersion();
