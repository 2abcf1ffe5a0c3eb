import type { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { startSatellite } from '../../server/main.js';
import { SATELLITE_VERSION } from '../../server/version.js';

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
        `License Satellite ${SATELLITE_VERSION} is serving on ${running.baseUrl}`,
        `  Device transport URL (JSON):      ${running.transportUrls.json}`,
        `  Device transport URL (Call Home): ${running.transportUrls.callHome}`,
        `  Root CA to give devices:          ${running.rootCertificatePath}`,
        `  Data directory:                   ${config.dataDir}`,
      ];
      if (running.initialAdmin) {
        // The file, never the password: stdout is the log in a container, and logs are kept.
        lines.push(
          '',
          `  First start: user '${running.initialAdmin.username}' has a one-time password in ${running.initialAdmin.passwordFile}`,
          `  (readable by this OS user only). Sign in and change it; the file is removed then. Lost it? satellite user passwd ${running.initialAdmin.username}`,
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
