import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DeviceReservation, FileAgentStateStore } from '../../agent/index.js';

export interface ReservationCommandIo {
  out(line: string): void;
  err(line: string): void;
  fail(): void;
}

interface StateFlags { state: string }
interface RequestFlags extends StateFlags { pid?: string; serial?: string; productTag: string }
interface CodeFlags extends StateFlags { file?: string }
interface InstallFlags extends CodeFlags { chain: string }

/**
 * `satellite device reservation ...` (DESIGN §9.3): the air-gapped device's side, built on the agent. It
 * never talks to a satellite: the admin carries each code across by hand.
 */
export function registerDeviceReservationCommands(device: Command, io: ReservationCommandIo, defaults: { stateDir: string; pid: string; productTag: string }): void {
  const reservation = device.command('reservation').description('license reservation (SLR/PLR) codes for a device that cannot reach the satellite');
  const stateOption = (command: Command) => command.option('--state <dir>', 'device state directory', defaults.stateDir);

  stateOption(reservation.command('request'))
    .description('print the reservation request code to give the satellite admin (the pending one if already requested)')
    .option('--pid <pid>', `UDI product id of a new device (default ${defaults.pid})`)
    .option('--serial <sn>', 'UDI serial number of a new device')
    .option('--product-tag <tag>', 'product tag of a new device', defaults.productTag)
    .action(run(io, async (flags: RequestFlags) => {
      const udi = flags.serial === undefined ? null : { pid: flags.pid ?? defaults.pid, serial: flags.serial };
      const code = await reservationOf(flags).request(udi, { productTag: flags.productTag });
      io.out(`request code: ${code}`);
    }));

  codeInput(stateOption(reservation.command('install')))
    .description('verify and install an authorization code from the admin; prints the confirmation code')
    .requiredOption('--chain <chain.pem>', 'the satellite chain (GET /pki/chain.pem or satellite pki chain): signing certificate, then root')
    .action(run(io, async (code: string | undefined, flags: InstallFlags) => {
      const installed = await reservationOf(flags).install(await codeText(code, flags), await readText(flags.chain, '--chain'));
      io.out(`installed: ${installed.type === 'SPECIFIC' ? 'specific license reservation (SLR)' : 'permanent license reservation (PLR)'}`);
      if (installed.product_instance_id !== null) io.out(`product instance id: ${installed.product_instance_id}`);
      for (const e of installed.entitlements) io.out(`reserved: ${e.tag} x ${e.count}`);
      io.out(`confirmation code: ${installed.confirmation_code}`);
    }));

  stateOption(reservation.command('return'))
    .description('remove the installed authorization code and print the return code for the admin')
    .action(run(io, async (flags: StateFlags) => {
      io.out(`return code: ${await reservationOf(flags).returnInstalled()}`);
    }));

  codeInput(stateOption(reservation.command('return-authorization')))
    .description('print the return code of an authorization code that was issued but not installed')
    .action(run(io, async (code: string | undefined, flags: CodeFlags) => {
      io.out(`return code: ${await reservationOf(flags).returnAuthorization(await codeText(code, flags))}`);
    }));

  stateOption(reservation.command('cancel'))
    .description('cancel a pending reservation request (before an authorization code is installed)')
    .action(run(io, async (flags: StateFlags) => {
      io.out(`cancelled request: ${await reservationOf(flags).cancel()}`);
    }));
}

function codeInput(command: Command): Command {
  return command.argument('[code]', 'the authorization code (or use --file)').option('--file <file>', 'read the authorization code from a file');
}

function reservationOf(flags: StateFlags): DeviceReservation {
  return new DeviceReservation(new FileAgentStateStore(flags.state));
}

async function codeText(code: string | undefined, flags: CodeFlags): Promise<string> {
  if (code !== undefined && flags.file !== undefined) throw new Error('give the authorization code or --file, not both');
  if (flags.file !== undefined) return readText(flags.file, '--file');
  if (code === undefined || code.trim() === '') throw new Error('an authorization code is required (argument or --file)');
  return code;
}

async function readText(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function run<A extends unknown[]>(io: ReservationCommandIo, body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await body(...args);
    } catch (error) {
      io.err(error instanceof Error ? `${error.name}: ${error.message}` : `error: ${String(error)}`);
      io.fail();
    }
  };
}
