import type { Command } from 'commander';
import { DATA_OPTION, processCliContext, type AdminCliContext } from './admin-cli-context.js';

/** `satellite pki chain`: what GET /pki/chain.pem serves, for an admin preparing an air-gapped device. */
export function registerPkiCommands(program: Command, context: AdminCliContext = processCliContext): void {
  program.command('pki').description('the satellite PKI')
    .command('chain')
    .description('print the signing certificate, then the root: devices verify reservation codes with it')
    .option(...DATA_OPTION)
    .action(async (flags: { data?: string }) => {
      await context.open(flags.data, (satellite) => {
        context.out(satellite.pki.certificateChain.map((pem) => pem.trimEnd()).join('\n'));
      });
    });
}
