import { readFile, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { Reservation } from '../../licensing/reservations/reservation.js';
import type { LicenseAsk } from '../../licensing/reservations/reservation-rules.js';
import type { Satellite } from '../../server/composition-root.js';
import { DATA_OPTION, printRows, processCliContext, type AdminCliContext } from './admin-cli-context.js';
import { cliActor } from './cli-actor.js';

interface VaFlags { account: string; va: string; data?: string; json?: boolean }
interface CreateFlags extends VaFlags { code?: string; codeFile?: string; type: 'SPECIFIC' | 'UNIVERSAL'; license: string[]; out?: string }
interface UpdateFlags extends VaFlags { license: string[]; out?: string }
interface CodeFlags extends VaFlags { code: string }


/** `satellite reservation ...` (DESIGN §9.3): the ReservationService the admin routes use, acting as cli:<os user>. */
export function registerReservationCommands(program: Command, context: AdminCliContext = processCliContext): void {
  const reservation = program.command('reservation').description('license reservation (SLR/PLR) for devices that cannot reach the satellite');
  const vaOptions = (command: Command) => command
    .requiredOption('--account <name>', 'account name').requiredOption('--va <name>', 'virtual account name')
    .option(...DATA_OPTION).option('--json', 'print JSON');
  const open = <T>(flags: VaFlags, work: (satellite: Satellite, va: ReturnType<Satellite['inventory']['findVirtualAccount']>) => T) =>
    context.open(flags.data, (satellite) => work(satellite, satellite.inventory.findVirtualAccount(flags.account, flags.va)));

  vaOptions(reservation.command('create'))
    .description('reserve licenses for a request code; prints the authorization code to install on the device')
    .option('--code <request code>', 'the request code the device printed')
    .option('--code-file <file>', 'read the request code from a file')
    .addOption(new Option('--type <type>', 'SPECIFIC (SLR) or UNIVERSAL (PLR: one seat)').choices(['SPECIFIC', 'UNIVERSAL']).default('SPECIFIC'))
    .option('--license <tag=quantity>', 'a license and how many to reserve; repeatable', collect, [])
    .option('--out <file>', 'also write the authorization code to this file')
    .action(async (flags: CreateFlags) => {
      const code = await requestCodeOf(flags);
      await open(flags, async (satellite, va) => {
        const [issued] = satellite.reservations.create(va, [{ reservationCode: code, reservationType: flags.type, licenses: flags.license.map(parseLicense) }], cliActor());
        if (!issued) throw new Error('no authorization code was issued');
        if (flags.out !== undefined) await writeFile(flags.out, `${issued.authorizationCode}\n`);
        if (flags.json) context.out(JSON.stringify(issued));
        else context.out(issued.authorizationCode);
        context.err(`reservation ${issued.productInstanceId} ${issued.status}: install the authorization code on the device, then enter its confirmation code`);
      });
    });

  vaOptions(reservation.command('list')).description('list the reservations of a virtual account')
    .action(async (flags: VaFlags) => {
      await open(flags, (satellite, va) => {
        const rows = satellite.reservations.list(va);
        if (flags.json) context.out(JSON.stringify(rows.map(summary)));
        else printRows(context, rows.map((r) => [r.instanceId, r.type, r.status, `${r.udi.pid}:${r.udi.serialNumber}`, licenseText(r), iso(r.createdAt)]));
      });
    });

  vaOptions(reservation.command('show <id>')).description('one reservation with its codes')
    .action(async (id: string, flags: VaFlags) => {
      await open(flags, (satellite, va) => {
        const r = satellite.reservations.get(va, id);
        if (flags.json) {
          context.out(JSON.stringify({ ...summary(r), authorizationCode: r.authorizationCode, pendingAuthorizationCode: r.pendingAuthorizationCode }));
          return;
        }
        for (const [label, value] of [
          ['product instance id', r.instanceId], ['type', r.type], ['status', r.status], ['udi', `${r.udi.pid}:${r.udi.serialNumber}`],
          ['request code', r.requestCode], ['licenses', licenseText(r)], ['created', iso(r.createdAt)],
          ['confirmed', r.confirmedAt === null ? '-' : iso(r.confirmedAt)], ['authorization code', r.authorizationCode],
          ...(r.pendingAuthorizationCode === null ? [] : [['pending authorization code', r.pendingAuthorizationCode]]),
        ]) context.out(`${label}: ${value}`);
      });
    });

  vaOptions(reservation.command('update <id>'))
    .description('reserve new counts (SLR); prints the new authorization code, IN_TRANSIT until confirmed')
    .option('--license <tag=quantity>', 'a license and its new count; repeatable', collect, [])
    .option('--out <file>', 'also write the authorization code to this file')
    .action(async (id: string, flags: UpdateFlags) => {
      await open(flags, async (satellite, va) => {
        const issued = satellite.reservations.update(va, id, flags.license.map(parseLicense), cliActor());
        if (flags.out !== undefined) await writeFile(flags.out, `${issued.authorizationCode}\n`);
        context.out(flags.json ? JSON.stringify(issued) : issued.authorizationCode);
        context.err(`reservation ${issued.productInstanceId} ${issued.status}: install the new code on the device, then enter its confirmation code`);
      });
    });

  vaOptions(reservation.command('confirm <id>')).description('enter the confirmation code the device printed')
    .requiredOption('--code <confirmation code>', 'confirmation code')
    .action(async (id: string, flags: CodeFlags) => {
      await open(flags, (satellite, va) => {
        const r = satellite.reservations.confirm(va, id, flags.code, cliActor());
        context.out(flags.json ? JSON.stringify(summary(r)) : `reservation ${r.instanceId} confirmed: ${licenseText(r)}`);
      });
    });

  vaOptions(reservation.command('return <id>')).description('enter the device\'s return code; frees every reserved seat')
    .requiredOption('--code <return code>', 'return code')
    .action(async (id: string, flags: CodeFlags) => {
      await open(flags, (satellite, va) => {
        const r = satellite.reservations.returnReservation(va, id, flags.code, cliActor());
        context.out(`reservation ${r.instanceId} returned: ${licenseText(r)} released`);
      });
    });

  vaOptions(reservation.command('remove <id>')).description('remove a reservation by force (lost device); frees its seats')
    .action(async (id: string, flags: VaFlags) => {
      await open(flags, (satellite, va) => {
        const r = satellite.reservations.remove(va, id, cliActor());
        context.out(`reservation ${r.instanceId} removed: ${licenseText(r)} released`);
      });
    });

  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    reservation.command(name).description(`${enabled ? 'allow' : 'forbid'} license reservation in an account (reservationEnabled)`)
      .requiredOption('--account <name>', 'account name').option(...DATA_OPTION)
      .action(async (flags: { account: string; data?: string }) => {
        await context.open(flags.data, (satellite) => {
          satellite.reservations.setEnabled(satellite.inventory.findAccount(flags.account).id, enabled, cliActor());
          context.out(`reservation ${enabled ? 'enabled' : 'disabled'} for ${flags.account}`);
        });
      });
  }
}

async function requestCodeOf(flags: CreateFlags): Promise<string> {
  if ((flags.code === undefined) === (flags.codeFile === undefined)) throw new Error('give the request code with --code or --code-file (one of them)');
  return flags.code ?? (await readFile(flags.codeFile ?? '', 'utf8'));
}

function summary(r: Reservation) {
  return {
    productInstanceId: r.instanceId, reservationCode: r.requestCode, reservationType: r.type, status: r.status,
    licenses: r.licenses.map((l) => ({ entitlementTag: l.tag, quantity: l.quantity, pendingQuantity: l.pendingQuantity })),
    createdAt: iso(r.createdAt), confirmedAt: r.confirmedAt === null ? null : iso(r.confirmedAt),
  };
}

function licenseText(r: Reservation): string {
  return r.licenses.map((l) => `${l.tag} x ${l.quantity}${l.pendingQuantity === null ? '' : ` (pending ${l.pendingQuantity})`}`).join(', ');
}

/** The service names a zero, negative or fractional quantity; here only the shape is read. */
function parseLicense(value: string): LicenseAsk {
  const split = value.lastIndexOf('=');
  const tag = split < 0 ? value.trim() : value.slice(0, split).trim();
  const quantity = split < 0 ? 1 : Number(value.slice(split + 1));
  if (tag === '' || Number.isNaN(quantity)) throw new Error(`--license ${value}: expected <tag>=<quantity>`);
  return { tag, quantity };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
