#!/usr/bin/env node
import { Command } from 'commander';
import { DomainError } from '../licensing/shared/domain-error.js';
import { registerAccountCommands } from './cli/account-commands.js';
import { registerApiClientCommands } from './cli/api-client-commands.js';
import { registerCatalogCommands } from './cli/catalog-commands.js';
import { registerDemoCommands } from './cli/demo-commands.js';
import { registerDeviceCommands } from './cli/device-commands.js';
import { registerInstanceCommands } from './cli/instance-commands.js';
import { registerLicenseCommands } from './cli/license-commands.js';
import { registerServeCommand } from './cli/serve-command.js';
import { registerSyncCommands } from './cli/sync-commands.js';
import { registerTokenCommands } from './cli/token-commands.js';
import { registerUpstreamCommands } from './cli/upstream-commands.js';
import { registerUserCommands } from './cli/user-commands.js';

const program = new Command();
program.name('satellite').description('License Satellite: on-prem smart licensing satellite').showHelpAfterError();
registerServeCommand(program);
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

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof DomainError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
  process.stderr.write(`satellite: ${message}\n`);
  process.exitCode = 1;
});
