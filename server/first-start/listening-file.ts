import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * <data>/listening.json: where `serve` really listens (after --port, SATELLITE_HOST and port 0 are
 * resolved), for the container healthcheck to knock on the right door. Removed at a clean shutdown.
 */
const FILE = 'listening.json';
const schema = z.object({ pid: z.number().int(), host: z.string(), port: z.number().int().min(1).max(65535), serverName: z.string() });
export type ListeningRecord = z.infer<typeof schema>;

export function writeListeningFile(dataDir: string, record: ListeningRecord): void {
  writeFileSync(join(dataDir, FILE), `${JSON.stringify(record)}\n`, { mode: 0o644 });
}

export function removeListeningFile(dataDir: string): void {
  rmSync(join(dataDir, FILE), { force: true });
}

export function readListeningFile(dataDir: string): ListeningRecord | null {
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
