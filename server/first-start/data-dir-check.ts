import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';

/**
 * Fails early, in words, when the process cannot write its data directory: the usual cause is a host
 * directory bind-mounted into the container (`-v /srv/satellite:/var/lib/satellite`) that belongs to
 * another user than the image's (node, uid 1000). Without this, SQLite reports "unable to open database file".
 */
export function ensureWritableDataDir(dataDir: string): void {
  try {
    if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
    const me = userInfo();
    const owner = existsSync(dataDir) ? statSync(dataDir).uid : null;
    throw new Error(`the data directory ${dataDir} is not writable by this process (user ${me.username}, uid ${me.uid})`
      + `${owner !== null ? `; it belongs to uid ${owner}` : ''}. If it is a bind mount, give it to this user on the host `
      + `(chown -R ${me.uid}:${me.gid} <host directory>) or run the container with --user matching its owner`);
  }
}
