import type { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { startSatellite } from '../../server/main.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the satellite over HTTPS (configuration from SATELLITE_* environment variables)')
    .option('--port <port>', 'listen port (overrides SATELLITE_PORT)')
    .option('--data <dir>', 'data directory (overrides SATELLITE_DATA_DIR)')
    .action(async (opts: { port?: string; data?: string }) => {
      const config = loadConfig({
        ...process.env,
        ...(opts.port ? { SATELLITE_PORT: opts.port } : {}),
        ...(opts.data ? { SATELLITE_DATA_DIR: opts.data } : {}),
      });
      const running = await startSatellite(config);
      const lines = [
        `License Satellite is serving on ${running.baseUrl}`,
        `  Device transport URL (JSON):      ${running.transportUrls.json}`,
        `  Device transport URL (Call Home): ${running.transportUrls.callHome}`,
        `  Root CA to give devices:          ${running.rootCertificatePath}`,
        `  Data directory:                   ${config.dataDir}`,
      ];
      if (running.initialAdmin) {
        // Printed once, here, and never logged: it is the only way into a fresh satellite.
        lines.push(
          '',
          `  First start: created user '${running.initialAdmin.username}' with the one-time password ${running.initialAdmin.password}`,
          '  Sign in and change it now; it will not be shown again.',
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      const stop = (signal: string) => {
        running.satellite.logger.info({ signal }, 'shutting down');
        void running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
