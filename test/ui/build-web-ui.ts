import { build } from 'vite';

/**
 * Global setup of the ui layer: the satellite serves dist/web, so the tests build it from the current
 * web/ sources first, and never test a stale build.
 */
export default async function buildWebUi(): Promise<void> {
  await build({ configFile: new URL('../../web/vite.config.ts', import.meta.url).pathname, logLevel: 'warn' });
}
