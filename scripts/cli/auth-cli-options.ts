import { ROLES, type Role } from '../../licensing/users/principal.js';

/** commander collector for options that may be given more than once. */
export function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseRole(value: string): Role {
  const role = ROLES.find((r) => r === value);
  if (!role) throw new Error(`--role must be one of ${ROLES.join(', ')}, got '${value}'`);
  return role;
}

/** Reads a secret piped on standard input (`--password-stdin`), without its trailing newline. */
export async function readStdinSecret(what: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(`${what}: `);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text.length === 0) throw new Error(`no ${what} on standard input`);
  return text;
}
