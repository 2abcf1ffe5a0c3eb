import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { formatZodIssues } from '../protocol/signed-envelope.js';
import { AgentStateError } from './agent-errors.js';

const epochMs = z.number().int().nonnegative();
const nullableText = z.string().nullable().default(null);

const entitlementResultSchema = z.object({
  tag: z.string(),
  requested: z.number().int().nonnegative(),
  status: z.enum(['AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NOT_AUTHORIZED', 'INVALID_TAG', 'RESERVED_AUTHORIZED']),
  display_name: nullableText,
  description: nullableText,
});

/** state.json, version 1. Snake case like the protocol it mirrors, so the file reads like the messages. */
export const agentStateSchema = z.object({
  version: z.literal(1),
  udi: z.object({ pid: z.string().min(1), serial: z.string().min(1), vid: nullableText, host_identifier: nullableText }),
  product_tag: z.string().min(1),
  hostname: nullableText,
  ip_address: nullableText,
  key_algorithm: z.enum(['ES256', 'RS256']).nullable().default(null),
  satellite: z.object({
    url: nullableText,
    transport: z.enum(['json', 'callhome']).nullable().default(null),
    /** The CA for the satellite's HTTPS certificate, so later commands need not be given it again. */
    tls_ca_pem: nullableText,
  }),
  /** [signing PEM, root PEM] from the last identity response; kept after deregistration as the trusted root. */
  certificate_chain: z.array(z.string()).nullable().default(null),
  registration: z.object({
    product_instance_id: z.string().min(1),
    id_certificate_pem: z.string().min(1),
    id_certificate_serial: z.string().min(1),
    smart_account: z.string(),
    virtual_account: z.string(),
    export_control: z.enum(['ALLOWED', 'NOT_ALLOWED']),
    registered_at: epochMs,
    expires_at: epochMs,
    next_renewal_at: epochMs,
    renewed_at: epochMs.nullable().default(null),
  }).nullable().default(null),
  authorization: z.object({
    requested: z.array(z.object({ tag: z.string(), count: z.number().int().nonnegative() })),
    status: z.enum(['AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NO_LICENSES_IN_USE']),
    authorized_at: epochMs,
    expires_at: epochMs,
    next_renewal_at: epochMs,
    entitlements: z.array(entitlementResultSchema),
  }).nullable().default(null),
  /** License reservation (DESIGN §9): the request code shown to the admin and the code installed from them. */
  reservation: z.object({
    request_code: z.string().min(1),
    requested_at: epochMs,
    authorization: z.object({
      type: z.enum(['SPECIFIC', 'UNIVERSAL']),
      code: z.string().min(1),
      product_instance_id: nullableText,
      entitlements: z.array(z.object({ tag: z.string(), count: z.number().int().nonnegative() })),
      confirmation_code: z.string(),
      installed_at: epochMs,
    }).nullable().default(null),
  }).nullable().default(null),
  /** The last AUTHORIZE that did not succeed; cleared by the next one that does. */
  last_authorization_error: z.object({ at: epochMs, code: z.string(), message: z.string() }).nullable().default(null),
});

export type AgentState = z.infer<typeof agentStateSchema>;
export type AgentRegistrationState = NonNullable<AgentState['registration']>;
export type AgentAuthorizationState = NonNullable<AgentState['authorization']>;

/** Where an agent keeps its key and state; swapped for the in-memory store in tests and benchmarks. */
export interface AgentStateStore {
  /** For messages: the directory, or "memory". */
  readonly location: string;
  readKey(): Promise<string | null>;
  writeKey(pem: string): Promise<void>;
  readState(): Promise<AgentState | null>;
  writeState(state: AgentState): Promise<void>;
}

export function parseAgentState(value: unknown, source: string): AgentState {
  const parsed = agentStateSchema.safeParse(value);
  if (!parsed.success) throw new AgentStateError(`${source} is not a valid agent state: ${formatZodIssues(parsed.error)}`);
  return parsed.data;
}

/** A directory holding key.pem (PKCS#8, mode 0600) and state.json; every write is tmp + rename. */
export class FileAgentStateStore implements AgentStateStore {
  readonly location: string;
  readonly keyFile: string;
  readonly stateFile: string;

  constructor(directory: string) {
    this.location = directory;
    this.keyFile = join(directory, 'key.pem');
    this.stateFile = join(directory, 'state.json');
  }

  readKey(): Promise<string | null> {
    return readIfPresent(this.keyFile);
  }

  async writeKey(pem: string): Promise<void> {
    await this.#ensureDirectory();
    await writeAtomically(this.keyFile, pem, 0o600);
  }

  async readState(): Promise<AgentState | null> {
    const text = await readIfPresent(this.stateFile);
    if (text === null) return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new AgentStateError(`${this.stateFile} is not JSON`);
    }
    return parseAgentState(value, this.stateFile);
  }

  async writeState(state: AgentState): Promise<void> {
    await this.#ensureDirectory();
    // The state holds no secret, but the certificate and account names are nobody else's business.
    await writeAtomically(this.stateFile, `${JSON.stringify(state, null, 2)}\n`, 0o600);
  }

  async #ensureDirectory(): Promise<void> {
    await mkdir(this.location, { recursive: true, mode: 0o700 });
  }
}

/** Keeps copies, so a caller mutating what it read cannot change what is stored. */
export class MemoryAgentStateStore implements AgentStateStore {
  readonly location = 'memory';
  #key: string | null = null;
  #state: AgentState | null = null;

  async readKey(): Promise<string | null> {
    return this.#key;
  }

  async writeKey(pem: string): Promise<void> {
    this.#key = pem;
  }

  async readState(): Promise<AgentState | null> {
    return this.#state === null ? null : structuredClone(this.#state);
  }

  async writeState(state: AgentState): Promise<void> {
    this.#state = structuredClone(state);
  }
}

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A crash mid-write leaves the old file or the new one, never half of either. */
async function writeAtomically(file: string, text: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', mode);
  try {
    // open() applies the umask; chmod makes the mode exact whatever the umask.
    await handle.chmod(mode);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
