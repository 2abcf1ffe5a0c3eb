import { userInfo } from 'node:os';

/**
 * Who the event log names for an admin command run from the shell: `cli:<os user>`. The CLI trusts whoever
 * can read the data directory, so the OS account is the identity there is.
 */
export function cliActor(): `cli:${string}` {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
  return `cli:${name}`;
}
