import { chmodSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the first start leaves the `admin` user's one-time password: a file only the satellite's OS user
 * can read, as Jenkins and GitLab do, because stdout is the log in a container and logs are kept and shipped.
 * It is removed at admin's first password change; `satellite user passwd admin` recovers a lost one.
 */
export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';

export function initialAdminPasswordPath(dataDir: string): string {
  return join(dataDir, INITIAL_ADMIN_PASSWORD_FILE);
}

/** Atomic (write, then rename) so a crash never leaves half a password; overwrites one from a start that did not finish. */
export function writeInitialAdminPassword(dataDir: string, password: string): string {
  const target = initialAdminPasswordPath(dataDir);
  writeFileSync(`${target}.tmp`, `${password}\n`, { mode: 0o600 });
  chmodSync(`${target}.tmp`, 0o600);
  renameSync(`${target}.tmp`, target);
  return target;
}

export function removeInitialAdminPassword(dataDir: string): void {
  rmSync(initialAdminPasswordPath(dataDir), { force: true });
}

export function hasInitialAdminPassword(dataDir: string): boolean {
  return existsSync(initialAdminPasswordPath(dataDir));
}
