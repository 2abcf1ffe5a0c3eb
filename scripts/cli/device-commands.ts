import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  FileAgentStateStore, SmartAgent, responseLines, stateLines,
  type AnyDeviceResponse, type DeviceIdentity, type EntitlementRequest, type SmartAgentOptions, type TransportKind,
} from '../../agent/index.js';
import { registerDeviceReservationCommands } from './device-reservation-commands.js';

/** Where the device commands write; replaced in tests so they can read the output and the exit code. */
export interface DeviceCommandIo {
  out(line: string): void;
  err(line: string): void;
  fail(): void;
}

const processIo: DeviceCommandIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  // exitCode rather than exit(): pending output is flushed and the caller's shutdown still runs.
  fail: () => {
    process.exitCode = 1;
  },
};

const DEFAULT_STATE_DIR = './device-state';
const DEFAULT_PID = 'C9300-24UX';
const DEFAULT_PRODUCT_TAG = 'regid.2017-05.com.cisco.C9300,v1_727af1d9-6c39-4444-b301-863f81445b72';

interface ConnectionFlags {
  state: string;
  url?: string;
  ca?: string;
  pinRoot?: string;
  transport?: TransportKind;
  timeout?: number;
  json?: boolean;
}

interface RegisterFlags extends ConnectionFlags {
  token: string;
  pid?: string;
  serial?: string;
  vid?: string;
  hostIdentifier?: string;
  productTag?: string;
  hostname?: string;
  ip?: string;
  rsa?: boolean;
  force?: boolean;
}

interface AuthorizeFlags extends ConnectionFlags {
  tag: string[];
}

/** `satellite device ...`: the reference smart agent, acting as one device against a satellite. */
export function registerDeviceCommands(program: Command, io: DeviceCommandIo = processIo): void {
  const device = program
    .command('device')
    .description('act as a device: register, authorize, renew and deregister against a satellite (reference smart agent)');

  connectionOptions(device.command('register'))
    .description('register the device with a token; the first registration picks a serial number unless given one')
    .requiredOption('--token <token>', 'product instance registration token (surrounding whitespace is ignored)', (value: string) => value.trim())
    .option('--pid <pid>', `UDI product id (default: stored, else ${DEFAULT_PID})`)
    .option('--serial <sn>', 'UDI serial number (default: stored, else a random one)')
    .option('--vid <vid>', 'UDI version id')
    .option('--host-identifier <id>', 'UDI host identifier')
    .option('--product-tag <tag>', 'product tag (default: stored, else a Catalyst 9300 tag)')
    .option('--hostname <name>', 'hostname to report')
    .option('--ip <address>', 'IP address to report')
    .option('--rsa', 'generate an RSA-2048 key instead of EC P-256 (applies when a key is generated)')
    .option('--force', 're-register a device the satellite already knows')
    .action(run(io, async (flags: RegisterFlags) => {
      const store = new FileAgentStateStore(flags.state);
      const identity = registerIdentity(flags, await store.readState());
      const agent = await openAgent(flags, { identity, ...(flags.rsa ? { keyAlgorithm: 'RS256' } : {}) });
      return report(io, flags, await agent.register(flags.token, { force: flags.force ?? false }), agent);
    }));

  connectionOptions(device.command('authorize'))
    .description('report licenses in use and print what the satellite authorized (no --tag: none in use)')
    .option('--tag <tag=count>', 'entitlement tag and count in use; repeatable', collect, [])
    .action(run(io, async (flags: AuthorizeFlags) => {
      const entitlements = flags.tag.map(parseTag);
      const agent = await openAgent(flags);
      return report(io, flags, await agent.authorize(entitlements), agent);
    }));

  connectionOptions(device.command('renew'))
    .description('renew the ID certificate with a new key pair')
    .action(run(io, async (flags: ConnectionFlags) => {
      const agent = await openAgent(flags);
      return report(io, flags, await agent.renewIdCertificate(), agent);
    }));

  connectionOptions(device.command('deregister'))
    .description('deregister the device; its licenses return to the pool (the key is kept)')
    .action(run(io, async (flags: ConnectionFlags) => {
      const agent = await openAgent(flags);
      return report(io, flags, await agent.deregister(), agent);
    }));

  device.command('status')
    .description('print the stored device state (no network)')
    .option('--state <dir>', 'device state directory', DEFAULT_STATE_DIR)
    .option('--json', 'print state.json as stored')
    .action(run(io, async (flags: { state: string; json?: boolean }) => {
      const state = await new FileAgentStateStore(flags.state).readState();
      const lines = flags.json ? [JSON.stringify(state, null, 2)] : stateLines(state, flags.state);
      for (const line of lines) io.out(line);
      return true;
    }));

  registerDeviceReservationCommands(device, io, { stateDir: DEFAULT_STATE_DIR, pid: DEFAULT_PID, productTag: DEFAULT_PRODUCT_TAG });
}

function connectionOptions(command: Command): Command {
  return command
    .option('--state <dir>', 'device state directory (key.pem, state.json)', DEFAULT_STATE_DIR)
    .option('--url <url>', 'transport URL: https://<satellite>/SmartTransport or .../Transportgateway/services/DeviceRequestHandler (default: stored)')
    .option('--ca <root.pem>', 'CA of the satellite HTTPS certificate, normally <data>/pki/root.pem (remembered)')
    .option('--pin-root <root.pem>', 'accept only responses chaining to this root CA (default: the root from the first registration)')
    .addOption(new Option('--transport <kind>', 'transport (default: inferred from the URL path)').choices(['json', 'callhome']))
    .option('--timeout <ms>', 'request timeout in milliseconds', positiveInteger)
    .option('--json', 'print the raw response message');
}

async function openAgent(flags: ConnectionFlags, extra: Partial<SmartAgentOptions> = {}): Promise<SmartAgent> {
  const options: SmartAgentOptions = { stateDir: flags.state, ...extra };
  if (flags.url !== undefined) options.url = flags.url;
  if (flags.transport !== undefined) options.transportKind = flags.transport;
  if (flags.timeout !== undefined) options.timeoutMs = flags.timeout;
  if (flags.ca !== undefined) options.ca = await readPem(flags.ca, '--ca');
  if (flags.pinRoot !== undefined) options.trustedRootPem = await readPem(flags.pinRoot, '--pin-root');
  return SmartAgent.open(options);
}

/** Flags win over what is stored; what is neither gets a default, so a bare register works. */
function registerIdentity(flags: RegisterFlags, stored: Awaited<ReturnType<FileAgentStateStore['readState']>>): DeviceIdentity {
  return {
    udi: {
      pid: flags.pid ?? stored?.udi.pid ?? DEFAULT_PID,
      serial: flags.serial ?? stored?.udi.serial ?? randomSerial(),
      vid: flags.vid ?? stored?.udi.vid ?? null,
      hostIdentifier: flags.hostIdentifier ?? stored?.udi.host_identifier ?? null,
    },
    productTag: flags.productTag ?? stored?.product_tag ?? DEFAULT_PRODUCT_TAG,
    hostname: flags.hostname ?? stored?.hostname ?? null,
    ipAddress: flags.ip ?? stored?.ip_address ?? null,
  };
}

/** Cisco serials look like FCW2134L00C: factory code, year and week, then four characters. */
function randomSerial(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  const tail = Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)] ?? '0').join('');
  return `FCW${String(20 + randomInt(10))}${String(randomInt(1, 53)).padStart(2, '0')}${tail}`;
}

function report(io: DeviceCommandIo, flags: { json?: boolean }, message: AnyDeviceResponse, agent: SmartAgent): boolean {
  // The error goes to stderr only, so scripts can read stdout for the outcome and stderr for the cause.
  const lines = flags.json ? [JSON.stringify(message, null, 2)] : responseLines(message, agent.state, { includeError: false });
  for (const line of lines) io.out(line);
  if (message.status === 'OK') return true;
  io.err(`${message.status} ${message.error.code}: ${message.error.message}`);
  return false;
}

/** Runs a command body; a false result or any error makes the exit code 1, errors go to stderr by name. */
function run<T>(io: DeviceCommandIo, body: (flags: T) => Promise<boolean>): (flags: T) => Promise<void> {
  return async (flags) => {
    try {
      if (!(await body(flags))) io.fail();
    } catch (error) {
      io.err(error instanceof Error ? `${error.name}: ${error.message}` : `error: ${String(error)}`);
      io.fail();
    }
  };
}

function parseTag(value: string): EntitlementRequest {
  const split = value.lastIndexOf('=');
  const tag = split < 0 ? '' : value.slice(0, split).trim();
  const count = split < 0 ? Number.NaN : Number(value.slice(split + 1));
  if (tag === '' || !Number.isSafeInteger(count) || count < 0) {
    throw new Error(`--tag ${value}: expected <tag>=<count> with a whole count >= 0`);
  }
  return { tag, count };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new InvalidArgumentError(`expected a positive whole number, got ${value}`);
  return number;
}

async function readPem(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
