#!/usr/bin/env node
import { Command } from 'commander';
import { DomainError } from '../licensing/shared/domain-error.js';
import { registerAccountCommands } from './cli/account-commands.js';
import { registerApiClientCommands } from './cli/api-client-commands.js';
import { registerBackupCommands } from './cli/backup-commands.js';
import { registerCatalogCommands } from './cli/catalog-commands.js';
import { inCliTerms } from './cli/cli-error-wording.js';
import { registerDemoCommands } from './cli/demo-commands.js';
import { registerDeviceCommands } from './cli/device-commands.js';
import { registerInstanceCommands } from './cli/instance-commands.js';
import { registerLicenseCommands } from './cli/license-commands.js';
import { registerPkiCommands } from './cli/pki-commands.js';
import { registerReservationCommands } from './cli/reservation-commands.js';
import { registerServeCommand } from './cli/serve-command.js';
import { registerInitCommand } from './cli/init-command.js';
import { registerHealthcheckCommand } from './cli/healthcheck-command.js';
import { registerSyncCommands } from './cli/sync-commands.js';
import { registerTokenCommands } from './cli/token-commands.js';
import { registerUpstreamCommands } from './cli/upstream-commands.js';
import { registerUserCommands } from './cli/user-commands.js';
import { SATELLITE_VERSION } from '../server/version.js';

const program = new Command();
program.name('satellite').description('License Satellite: on-prem smart licensing satellite').showHelpAfterError()
  .version(SATELLITE_VERSION, '-V, --version', 'print the version (package.json) and exit');
registerServeCommand(program);
registerInitCommand(program);
registerTokenCommands(program);
registerAccountCommands(program);
registerLicenseCommands(program);
registerCatalogCommands(program);
registerUserCommands(program);
registerApiClientCommands(program);
registerDemoCommands(program);
registerDeviceCommands(program);
registerInstanceCommands(program);
registerSyncCommands(program);
registerUpstreamCommands(program);
registerReservationCommands(program);
registerBackupCommands(program);
registerPkiCommands(program);
registerHealthcheckCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = inCliTerms(error instanceof DomainError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error));
  process.stderr.write(`satellite: ${message}\n`);
  process.exitCode = 1;
});
